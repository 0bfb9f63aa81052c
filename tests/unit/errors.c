/* errors.c: unit tests of core/err.c: exit codes and the error context. */
#include <pthread.h>
#include <string.h>
#include "unit.h"

static void *in_thread(void *arg)
{
    int *code = arg;
    char msg[64];
    xv_error_set(XV_EIO, "disk %s", "full");
    xv_error_take(code, msg, sizeof msg);
    return strcmp(msg, "disk full") ? NULL : arg;
}

/* A thread holding its errors: the first reported is recorded, not printed. */
static void *holding(void *arg)
{
    int *code = arg;
    char msg[64];
    xv_error_hold(1);
    xv_fail(XV_ELOCKED, "first %d", 1);
    error("second");
    xv_error_hold(0);
    xv_error_take(code, msg, sizeof msg);
    return strcmp(msg, "first 1") ? NULL : arg;
}

void test_errors(void)
{
    static const int rc[] = { XV_OK, XV_ENEEDS, XV_EUSAGE, XV_EDATA, XV_ELOCKED, XV_EIO, XV_ERR,
                              XV_STOP, XV_EREBUILD };
    static const int want[] = { 0, 1, 2, 3, 4, 5, 5, 5, 5 };
    for (size_t i = 0; i < sizeof rc / sizeof rc[0]; i++)
        CHECK(xv_exit_code(rc[i]) == want[i], "code %d exits %d", rc[i], xv_exit_code(rc[i]));
    pthread_t t;
    int code = 0;
    void *ok = NULL;
    CHECK(pthread_create(&t, NULL, in_thread, &code) == 0 && pthread_join(t, &ok) == 0 &&
          ok == &code && code == XV_EIO, "a thread's error is taken with its code");
    code = 0;
    CHECK(pthread_create(&t, NULL, holding, &code) == 0 && pthread_join(t, &ok) == 0 &&
          ok == &code && code == XV_ELOCKED, "a thread holding its errors keeps the first");
    printf("(the next error is expected)\n");
    fflush(stdout);
    CHECK(xv_error_adopt(XV_EDATA, "bad row") == XV_EDATA && xv_error_raise() == XV_EDATA &&
          !strcmp(xv_last_error(), "bad row"), "an adopted error is raised as reported");
    CHECK(xv_error_raise() == XV_ERR, "raising nothing is an internal error");
}
