/* test_reg_to_hive.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
