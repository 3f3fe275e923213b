/* test_reg_export.c - placeholder, being written. */
#include <criterion/criterion.h>
