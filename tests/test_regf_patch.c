/* test_regf_patch.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
