/* test_cli_errors.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
