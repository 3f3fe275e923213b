/* test_reg_patch.c - placeholder, being written. */
#include <criterion/criterion.h>
