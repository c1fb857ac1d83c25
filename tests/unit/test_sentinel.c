/*
 * test_sentinel.c - the redis_sentinels list is parsed whole or refused with
 * the entry and the reason; the master name keeps to its characters; a search
 * with no Sentinel answering gives up at once with the reason.
 */
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/sentinel.h"
#include "unit.h"

START_TEST(test_sentinel_list_of_hosts_and_ports_is_parsed_in_order)
{
    struct sentinel_list list;
    char reason[SENTINEL_REASON_MAX];

    ck_assert_int_eq(sentinel_list_parse("10.0.0.1:26379, redis-b.example:26380 ,[::1]:5", &list, reason,
                                         sizeof(reason)), SHOP_OK);
    ck_assert_int_eq(list.count, 3);
    ck_assert_str_eq(list.addresses[0].host, "10.0.0.1");
    ck_assert_int_eq(list.addresses[0].port, 26379);
    ck_assert_str_eq(list.addresses[1].host, "redis-b.example");
    ck_assert_int_eq(list.addresses[1].port, 26380);
    ck_assert_str_eq(list.addresses[2].host, "::1");
    ck_assert_int_eq(list.addresses[2].port, 5);
}
END_TEST

START_TEST(test_sentinel_empty_text_is_no_sentinel)
{
    struct sentinel_list list = {.count = 5};
    char reason[SENTINEL_REASON_MAX];

    ck_assert_int_eq(sentinel_list_parse("", &list, reason, sizeof(reason)), SHOP_OK);
    ck_assert_int_eq(list.count, 0);
    ck_assert_int_eq(sentinel_list_parse("  ", &list, reason, sizeof(reason)), SHOP_OK);
    ck_assert_int_eq(list.count, 0);
}
END_TEST

/* text is refused, with a reason that contains expected. */
static void assert_refused(const char *text, const char *expected)
{
    struct sentinel_list list;
    char reason[SENTINEL_REASON_MAX] = "";

    ck_assert_int_eq(sentinel_list_parse(text, &list, reason, sizeof(reason)), SHOP_ERR_INVALID);
    ck_assert_int_eq(list.count, 0);
    ck_assert_msg(strstr(reason, expected) != NULL, "%s: reason \"%s\" lacks \"%s\"", text, reason, expected);
}

START_TEST(test_sentinel_bad_entries_are_refused_naming_the_entry)
{
    assert_refused("a:1,,b:2", "entry 2 is empty");
    assert_refused("a:1,", "entry 2 is empty");
    assert_refused("localhost", "entry 1 has no :port");
    assert_refused("a:1,b:0", "entry 2 has a port");
    assert_refused("a:65536", "port");
    assert_refused("a:12x", "port");
    assert_refused("a:", "port");
    assert_refused(":26379", "entry 1 has no host");
    assert_refused("a b:1", "character");
    assert_refused("a\"=x:1", "character");
    assert_refused("[::1:1", "[address]:port");
    assert_refused("[::1]1", "[address]:port");
    assert_refused("[zz]:1", "character");
}
END_TEST

START_TEST(test_sentinel_list_holds_at_most_eight)
{
    struct sentinel_list list;
    char reason[SENTINEL_REASON_MAX];

    ck_assert_int_eq(sentinel_list_parse("a:1,a:2,a:3,a:4,a:5,a:6,a:7,a:8", &list, reason, sizeof(reason)), SHOP_OK);
    ck_assert_int_eq(list.count, SENTINEL_MAX);
    assert_refused("a:1,a:2,a:3,a:4,a:5,a:6,a:7,a:8,a:9", "at most 8");
}
END_TEST

START_TEST(test_sentinel_master_name_keeps_to_its_characters)
{
    char longest[SENTINEL_MASTER_NAME_MAX + 2];

    ck_assert_int_eq(sentinel_master_name_check("shop"), SHOP_OK);
    ck_assert_int_eq(sentinel_master_name_check("shop-eu_1.main"), SHOP_OK);
    ck_assert_int_eq(sentinel_master_name_check(""), SHOP_ERR_INVALID);
    ck_assert_int_eq(sentinel_master_name_check("shop main"), SHOP_ERR_INVALID);
    ck_assert_int_eq(sentinel_master_name_check("shop\n"), SHOP_ERR_INVALID);
    memset(longest, 'a', sizeof(longest));
    longest[SENTINEL_MASTER_NAME_MAX] = '\0';
    ck_assert_int_eq(sentinel_master_name_check(longest), SHOP_OK);
    longest[SENTINEL_MASTER_NAME_MAX] = 'a';
    longest[SENTINEL_MASTER_NAME_MAX + 1] = '\0';
    ck_assert_int_eq(sentinel_master_name_check(longest), SHOP_ERR_INVALID);
}
END_TEST

/* A loopback port nothing listens on (bound, then closed). */
static int closed_port(void)
{
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(address);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&address, sizeof(address)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&address, &len), 0);
    close(fd);
    return ntohs(address.sin_port);
}

START_TEST(test_sentinel_none_answering_gives_no_connection_and_the_reason)
{
    struct sentinel_list list = {.count = 2};
    char error[SENTINEL_REASON_MAX + SENTINEL_HOST_MAX];

    strcpy(list.addresses[0].host, "127.0.0.1");
    list.addresses[0].port = closed_port();
    list.addresses[1] = list.addresses[0];
    ck_assert_ptr_null(sentinel_connect_primary(&list, "shop", 1000, error, sizeof(error)));
    ck_assert_msg(strncmp(error, "sentinel 127.0.0.1:", 19) == 0, "error: %s", error);
}
END_TEST

UNIT_MAIN("sentinel", test_sentinel_list_of_hosts_and_ports_is_parsed_in_order, test_sentinel_empty_text_is_no_sentinel,
          test_sentinel_bad_entries_are_refused_naming_the_entry, test_sentinel_list_holds_at_most_eight,
          test_sentinel_master_name_keeps_to_its_characters, test_sentinel_none_answering_gives_no_connection_and_the_reason)
