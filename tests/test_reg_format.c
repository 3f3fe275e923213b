/* test_reg_format.c - placeholder, being written. */
#include <criterion/criterion.h>
