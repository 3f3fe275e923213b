/* test_edit.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
