/* test_reg_parse.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
