/* test_cli_recover.c - placeholder, being written. */
#include <criterion/criterion.h>
