/* test_cli_reg.c - placeholder, being written. */
#include <criterion/criterion.h>
