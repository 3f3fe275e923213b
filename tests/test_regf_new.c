/* test_regf_new.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
