/* reg_format.c - placeholder, being written (reg_format.h). */
#include "reg_format.h"

const struct mp_reg_style mp_reg_style_regedit5 = {MP_REG_ENC_UTF16LE, NULL, "\r\n"};

int
mp_reg_format_value(struct mapiprof_ctx *ctx, const struct mp_reg_style *st,
                    const struct mp_reg_item *v, struct mp_buf *out)
{
	(void)st, (void)v, (void)out;
	mp_seterr(ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}

int
mp_reg_format_key(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const char *path,
                  int del, struct mp_buf *out)
{
	(void)st, (void)path, (void)del, (void)out;
	mp_seterr(ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}

int
mp_reg_format_header(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, struct mp_buf *out)
{
	(void)st, (void)out;
	mp_seterr(ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}

int
mp_reg_encode(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const char *text,
              size_t len, struct mp_buf *out)
{
	(void)st, (void)text, (void)len, (void)out;
	mp_seterr(ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}
