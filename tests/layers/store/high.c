/* high.c - the store/ unit that base/low.c reaches upward. */
int layer_high(void);

int
layer_high(void)
{
	return 1;
}
