/* test_cli_write.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
