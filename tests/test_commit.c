/* test_commit.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
