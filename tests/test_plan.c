/* test_plan.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
