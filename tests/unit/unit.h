/*
 * unit.h - the runner every Check suite shares: UNIT_MAIN("name", tests...).
 */
#ifndef SHOP_TESTS_UNIT_H
#define SHOP_TESTS_UNIT_H

#include <check.h>
#include <stddef.h>
#include <stdlib.h>

static inline int unit_run(const char *name, const TTest *const *tests, size_t count)
{
    Suite *suite = suite_create(name);
    TCase *tcase = tcase_create(name);
    SRunner *runner;
    int failed;
    size_t i;

    for (i = 0; i < count; i++)
        tcase_add_test(tcase, tests[i]);
    suite_add_tcase(suite, tcase);
    runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#define UNIT_MAIN(name, ...)                                                  \
    int main(void)                                                            \
    {                                                                         \
        const TTest *const tests[] = {__VA_ARGS__};                           \
        return unit_run(name, tests, sizeof(tests) / sizeof(tests[0]));       \
    }

#endif
