/* test_real_hives.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
