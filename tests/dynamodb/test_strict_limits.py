"""DynamoDB's documented limits on expressions (Constraints, "Expression parameters"), PartiQL
numbers and strings that are not Unicode, through boto3 and raw HTTP against a real server
process (review3: F6, F7, F8): each refused in DynamoDB's words with HTTP 400, or answered as
DynamoDB answers it; never an HTTP 500 or moto's exception."""

from __future__ import annotations

import pytest
from botocore.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dynamodb.conftest import create_keyed_table
from tests.dynamodb.test_strict import raw, refused

TABLE = "limits"


@pytest.fixture(scope="module")
def table(server):
    import boto3

    ddb = boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    create_keyed_table(ddb, TABLE)
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"N": "5"}, "x": {"N": "1"}})
    return TABLE


@pytest.fixture
def loose(server):
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


KEY = {"pk": {"S": "a"}, "sk": {"N": "5"}}


# --- F6: the limits on expression parameters ----------------------------------------------------


def test_in_takes_at_most_100_operands(ddb, table):
    def scan(count: int):
        values = {f":v{i}": {"N": str(i)} for i in range(count)}
        return dict(
            TableName=table,
            FilterExpression=f"x IN ({', '.join(values)})",
            ExpressionAttributeValues=values,
        )

    assert ddb.scan(**scan(100))["Count"] == 1  # x = 1 is among them
    code, message, status = refused(ddb.scan, **scan(101))
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Invalid FilterExpression: The IN operator is provided with too many operands; "
        "number of operands: 101"
    )


def test_an_expression_has_at_most_300_operators(ddb, table):
    # "x = :v OR ..." : n comparisons and n - 1 ORs
    def condition(comparisons: int) -> str:
        return " OR ".join(["x = :v"] * comparisons)

    values = {":v": {"N": "1"}}
    assert (
        ddb.scan(
            TableName=table, FilterExpression=condition(150), ExpressionAttributeValues=values
        )["Count"]
        == 1
    )  # 299 operators
    code, message, status = refused(
        ddb.scan, TableName=table, FilterExpression=condition(151), ExpressionAttributeValues=values
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Invalid FilterExpression: The expression contains too many operators; operator count: 301"
    )
    code, message, _ = refused(
        ddb.put_item,
        TableName=table,
        Item={**KEY, "x": {"N": "1"}},
        ConditionExpression="NOT " * 301 + "attribute_exists(pk)",
    )
    assert message == (
        "Invalid ConditionExpression: The expression contains too many operators; "
        "operator count: 301"
    )


def test_an_update_expression_has_at_most_300_operators(ddb, table):
    def update(pluses: int) -> dict:
        return dict(
            TableName=table,
            Key=KEY,
            UpdateExpression="SET y = :v" + " + :v" * pluses,
            ExpressionAttributeValues={":v": {"N": "0"}},
        )

    ddb.update_item(**update(300))
    code, message, status = refused(ddb.update_item, **update(301))
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Invalid UpdateExpression: The expression contains too many operators; operator count: 301"
    )


def test_a_placeholder_key_has_at_most_255_bytes(loose, table):
    name = "#" + "n" * 254
    assert loose.get_item(
        TableName=table, Key=KEY, ProjectionExpression=name, ExpressionAttributeNames={name: "x"}
    )["Item"] == {"x": {"N": "1"}}
    name += "n"
    code, message, status = refused(
        loose.get_item,
        TableName=table,
        Key=KEY,
        ProjectionExpression=name,
        ExpressionAttributeNames={name: "x"},
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a "
        "key that is too long; size of key: 256"
    )
    value = ":" + "v" * 255
    code, message, _ = refused(
        loose.scan,
        TableName=table,
        FilterExpression=f"x = {value}",
        ExpressionAttributeValues={value: {"N": "1"}},
    )
    assert message == (
        "ExpressionAttributeValues contains invalid key: The expression attribute map contains a "
        "key that is too long; size of key: 256"
    )


def test_all_substitutions_of_an_expression_are_at_most_2_mb(ddb, table):
    limit = 2 * 1024 * 1024

    def scan(size: int) -> dict:  # ":v" and a string: size bytes in all
        return dict(
            TableName=table,
            FilterExpression="x = :v",
            ExpressionAttributeValues={":v": {"S": "é" * ((size - 2) // 2)}},
        )

    assert ddb.scan(**scan(limit))["Count"] == 0
    code, message, status = refused(ddb.scan, **scan(limit + 2))
    assert (code, status) == ("ValidationException", 400)
    assert message == "ExpressionAttributeValues exceeds max size"


# --- F8: strings that are not Unicode -----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"TableName": "%s", "Item": {"pk": {"S": "\\ud800"}, "sk": {"N": "1"}}}',
        '{"TableName": "%s", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "\\udc00": {"S": "x"}}}',
        '{"TableName": "%s", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "l": {"L": [{"S": "x\\udbff"}]}}}',
    ],
    ids=["a value", "an attribute name", "in a list"],
)
def test_a_lone_surrogate_is_a_serialization_error(server, table, body):
    """JSON can escape half of a UTF-16 pair alone (botocore sends one as ``\\ud800``); that is not
    Unicode: answered as a body that is not UTF-8 (moto failed with a UnicodeEncodeError)."""
    status, answer = raw(server, "PutItem", (body % table).encode())
    assert (status, answer) == (
        400,
        {
            "__type": "com.amazon.coral.service#SerializationException",
            "Message": "Start of structure or map found where not expected",
        },
    )


def test_lone_surrogates_through_boto3_and_pairs_kept(ddb, table):
    code, _, status = refused(
        ddb.put_item, TableName=table, Item={"pk": {"S": "\ud800"}, "sk": {"N": "1"}}
    )
    assert (code, status) == ("SerializationException", 400)
    # a pair (a character beyond U+FFFF, which json.dumps escapes as two) and a backslash are text
    ddb.put_item(TableName=table, Item={"pk": {"S": "\U0001f600 \\ud800"}, "sk": {"N": "1"}})
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "\U0001f600 \\ud800"}, "sk": {"N": "1"}})
    assert got["Item"]["pk"] == {"S": "\U0001f600 \\ud800"}


# --- F7: PartiQL numbers ------------------------------------------------------------------------


def _rows(ddb, statement: str, parameters: list | None = None) -> list:
    extra = {"Parameters": parameters} if parameters else {}
    return ddb.execute_statement(Statement=statement, **extra)["Items"]


def test_a_numeric_literal_in_where_finds_what_its_parameter_form_finds(ddb, table):
    literal = f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = 5"
    parameters = f'SELECT * FROM "{table}" WHERE pk = ? AND sk = ?'
    found = _rows(ddb, literal)
    assert found == _rows(ddb, parameters, [{"S": "a"}, {"N": "5"}])
    assert [row["sk"] for row in found] == [{"N": "5"}]
    # a literal among parameters takes its place in their order
    assert _rows(ddb, f'SELECT * FROM "{table}" WHERE sk = 5 AND pk = ?', [{"S": "a"}]) == found
    assert _rows(ddb, f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = -5") == []
    # strings that look like numbers, names with digits and comparisons stay as they are
    assert _rows(ddb, f"SELECT * FROM \"{table}\" WHERE pk = '5' AND sk = 5") == []
    assert _rows(ddb, f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk >= 5") == found


def test_an_update_with_numeric_literals(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "u"}, "sk": {"N": "7"}, "n": {"N": "0"}})
    ddb.execute_statement(Statement=f"UPDATE \"{table}\" SET n = 42 WHERE pk = 'u' AND sk = 7")
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "u"}, "sk": {"N": "7"}})["Item"]
    assert got["n"] == {"N": "42"}
    ddb.execute_statement(
        Statement=f'UPDATE "{table}" SET n = ? WHERE pk = ? AND sk = 7',
        Parameters=[{"N": "43"}, {"S": "u"}],
    )
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "u"}, "sk": {"N": "7"}})["Item"]
    assert got["n"] == {"N": "43"}


def test_partiql_numbers_in_batches_and_transactions(ddb, table):
    # the table's name unquoted: moto's BatchExecuteStatement does not find a quoted one
    statement = f"SELECT * FROM {table} WHERE pk = 'a' AND sk = 5"
    batch = ddb.batch_execute_statement(Statements=[{"Statement": statement}])["Responses"]
    assert batch[0]["Item"]["sk"] == {"N": "5"}
    done = ddb.execute_transaction(TransactStatements=[{"Statement": statement}])["Responses"]
    assert done[0]["Item"]["sk"] == {"N": "5"}


def test_partiql_number_literals_are_dynamodb_numbers(ddb, table):
    code, message, status = refused(
        ddb.execute_statement, Statement=f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = 1E+200"
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )


def test_what_is_not_a_statement_is_dynamodbs_syntax_error(ddb, table):
    code, message, status = refused(ddb.execute_statement, Statement=f'SELEC * FROM "{table}"')
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Statement wasn't well formed, can't be processed: Expected data manipulation"
    )
    # blanks and comments before the statement are DynamoDB's to allow
    rows = _rows(ddb, f"  -- a comment\n SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = 5")
    assert [row["sk"] for row in rows] == [{"N": "5"}]


@pytest.mark.parametrize(
    ("statement", "parameters", "expected"),
    [
        (
            "SELECT * FROM t WHERE pk = 'a=5' AND sk = 5",
            None,
            ("SELECT * FROM t WHERE pk = 'a=5' AND sk = ?", [{"N": "5"}]),
        ),
        ('SELECT * FROM "t=1" WHERE "a=2" = ?', [{"S": "x"}], None),
        ("SELECT a[0] FROM t WHERE x1 = ?", [{"N": "1"}], None),
        ("SELECT * FROM t WHERE n <= 5 AND m >= 6 AND o <> 7", None, None),
        (
            "SELECT * FROM t WHERE n = +1.5e3 AND m = ? AND o = -.5",
            [{"S": "m"}],
            (
                "SELECT * FROM t WHERE n = ? AND m = ? AND o = ?",
                [{"N": "1.5e3"}, {"S": "m"}, {"N": "-.5"}],
            ),
        ),
        ("INSERT INTO t VALUE {'pk': 'a', 'n': 5}", None, None),
        (
            "UPDATE t SET n = 1 WHERE pk = ?",
            [{"S": "a"}],
            ("UPDATE t SET n = ? WHERE pk = ?", [{"N": "1"}, {"S": "a"}]),
        ),
    ],
)
def test_which_numbers_become_parameters(statement, parameters, expected):
    from dynamodb_plugin.local import partiql

    got = partiql.numbers(statement, parameters)
    assert got == (expected or (statement, parameters))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    number=st.one_of(
        st.integers(-(10**12), 10**12).map(str),
        st.decimals(-(10**6), 10**6, places=3, allow_nan=False).map(
            lambda d: str(d.normalize()) if d else "0"
        ),
    )
)
def test_literal_and_parameter_forms_answer_alike(ddb, table, number):
    ddb.put_item(TableName=table, Item={"pk": {"S": "h"}, "sk": {"N": number}})
    literal = _rows(ddb, f"SELECT * FROM \"{table}\" WHERE pk = 'h' AND sk = {number}")
    parameter = _rows(
        ddb, f'SELECT * FROM "{table}" WHERE pk = ? AND sk = ?', [{"S": "h"}, {"N": number}]
    )
    assert literal == parameter
    assert {"N": number} in [row["sk"] for row in literal]


def test_a_delete_with_numbers_or_parameters_deletes_the_item(ddb, table):
    def put(sk: str) -> None:
        ddb.put_item(TableName=table, Item={"pk": {"S": "d"}, "sk": {"N": sk}, "x": {"S": "y"}})

    def there(sk: str) -> bool:
        return "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "d"}, "sk": {"N": sk}})

    put("9")
    answer = ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = 'd' AND sk = 9")
    assert answer["Items"] == [] and not there("9")
    put("8")
    ddb.execute_statement(
        Statement=f'DELETE FROM "{table}" WHERE pk = ? AND sk = ?',
        Parameters=[{"S": "d"}, {"N": "8"}],
    )
    assert not there("8")
    # the other equalities are its condition
    put("7")
    code, _, status = refused(
        ddb.execute_statement,
        Statement=f"DELETE FROM \"{table}\" WHERE pk = 'd' AND sk = 7 AND x = 'z'",
    )
    assert (code, status) == ("ConditionalCheckFailedException", 400) and there("7")
    ddb.execute_statement(
        Statement=f"DELETE FROM \"{table}\" WHERE pk = 'd' AND sk = 7 AND x = 'y'"
    )
    assert not there("7")
    # a missing item is no error
    ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = 'd' AND sk = 6")


def test_a_delete_must_name_the_whole_key(ddb, table):
    code, message, status = refused(
        ddb.execute_statement, Statement=f'DELETE FROM "{table}" WHERE sk = 5'
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == "Where clause does not contain a mandatory equality on all key attributes"
    code, message, _ = refused(
        ddb.execute_statement, Statement=f'DELETE FROM "{table}" WHERE pk = ? AND sk = 5'
    )
    assert message == "Number of parameters in request and statement don't match."
    code, message, status = refused(
        ddb.execute_statement, Statement=f"DELETE FROM \"{table}\" WHERE pk = 'a' OR sk = 5"
    )
    assert (code, status) == ("ValidationException", 400)
    assert "takes a number or a parameter in a DELETE only as" in message
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "5"}})


def test_an_update_must_name_the_whole_key_and_parameters_must_match(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "w"}, "sk": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "w"}, "sk": {"N": "2"}})
    code, message, status = refused(
        ddb.execute_statement, Statement=f"UPDATE \"{table}\" SET n = 'x' WHERE pk = 'w'"
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == "Where clause does not contain a mandatory equality on all key attributes"
    items = ddb.query(
        TableName=table,
        KeyConditionExpression="pk = :w",
        ExpressionAttributeValues={":w": {"S": "w"}},
    )["Items"]
    assert all("n" not in row for row in items)  # moto had updated both
    for statement, parameters in (
        (f'SELECT * FROM "{table}" WHERE pk = ?', []),
        (f"SELECT * FROM \"{table}\" WHERE pk = 'w'", [{"S": "w"}]),
    ):
        extra = {"Parameters": parameters} if parameters else {}
        code, message, status = refused(ddb.execute_statement, Statement=statement, **extra)
        assert (code, status, message) == (
            "ValidationException",
            400,
            "Number of parameters in request and statement don't match.",
        )


def test_deep_json_is_still_a_nesting_error_with_the_higher_recursion_limit(server, table):
    for depth in (3999, 100_000):
        value = '{"L": [' * depth + '{"S": "x"}' + "]}" * depth
        body = f'{{"TableName": "{table}", "Item": {{"pk": {{"S": "a"}}, "sk": {{"N": "1"}}, "x": {value}}}}}'
        status, answer = raw(server, "PutItem", body.encode())
        assert (status, answer["message"]) == (400, "Nesting Levels have exceeded supported limits")
    assert raw(server, "ListTables", b"{}")[0] == 200
