/*
 * fuzz_config.c - the configuration file (lib/config.c) and the typed reads of
 * its values (whole numbers, booleans).
 *
 * Input: the file's contents, written to a temporary file that config_load()
 * reads as it reads /etc/fcgi-shop/shop.conf.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_config_path[] = "/tmp/shop-fuzz-config.XXXXXX";
static int fuzz_config_fd = -1;

static void fuzz_config_remove(void)
{
    unlink(fuzz_config_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init("fuzz", "error");
    /* A named secrets file is read too: never let the input name a FIFO or a device. */
    setenv("SHOP_SECRETS_FILE", "", 1);
    fuzz_config_fd = mkstemp(fuzz_config_path);
    if (fuzz_config_fd < 0)
        abort();
    atexit(fuzz_config_remove);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"threads", "log_level", "max_body_bytes", "cookie_secure", "db_port"};
    long long number;
    bool flag;
    size_t i;

    if (ftruncate(fuzz_config_fd, 0) != 0 || pwrite(fuzz_config_fd, data, size, 0) != (ssize_t)size)
        abort();
    if (config_load(fuzz_config_path) != SHOP_OK)
        return 0;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *value = config_get_string(keys[i], NULL);

        if (value != NULL && strlen(value) >= CONFIG_MAX_VALUE)
            __builtin_trap();
        if (config_get_int(keys[i], 1, 1, 1000000, &number) == SHOP_OK && (number < 1 || number > 1000000))
            __builtin_trap();
        config_get_bool(keys[i], false, &flag);
    }
    return 0;
}
