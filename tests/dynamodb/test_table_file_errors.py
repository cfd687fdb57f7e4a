"""Table files never crash: each bad case is one line naming the file (and key), no traceback."""

from __future__ import annotations

import pytest

TABLE = """Type: AWS::DynamoDB::Table
Properties:
  TableName: t-000
  AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
  KeySchema: [{AttributeName: id, KeyType: HASH}]
"""


def _one_line(out):
    assert out.code != 0, out
    assert "Traceback" not in out.err, out.err
    lines = [line for line in out.err.splitlines() if line.startswith("getdotenv: error:")]
    assert len(lines) == 1 or out.out.strip(), out
    return out.out + out.err


@pytest.mark.parametrize(
    "tag", ["!Ref Rcu", "!GetAtt X.Y", "!Sub '${Rcu}'", "{'Fn::If': [c, 1, 2]}"]
)
def test_intrinsic_where_a_number_is_expected(project, dcli, tag):
    project(
        {
            "tables/000/table.yml": TABLE
            + f"  ProvisionedThroughput: {{ReadCapacityUnits: {tag}, WriteCapacityUnits: 1}}\n"
        }
    )
    text = _one_line(dcli("dynamodb", "tables", "validate", "--version", "000"))
    assert "tables/000/table.yml: Properties.ProvisionedThroughput.ReadCapacityUnits:" in text
    assert "resolve it or set it in the file" in text


def test_deep_nesting_is_one_line(project, dcli):
    deep = "x: " + "[" * 3000 + "]" * 3000 + "\n"
    project(
        {
            "tables/000/table.yml": TABLE
            + "  Tags:\n    - Key: a\n      Value: {"
            + "a: {" * 200
            + "}" * 201
            + "\n"
            + deep
        }
    )
    text = _one_line(dcli("dynamodb", "tables", "validate", "--version", "000"))
    assert "tables/000/table.yml" in text and "nested" in text


def test_tables_path_that_is_a_file(project, dcli):
    project({"tables": "not a folder\n"})
    text = _one_line(dcli("dynamodb", "tables", "generate", "--version", "000"))
    assert "tables: is a file, expected the tables folder" in text


def test_skipped_non_ascii_version_folder_is_named(project, dcli):
    root = project({})
    (root / "tables" / "²").mkdir(parents=True)
    text = _one_line(dcli("dynamodb", "tables", "validate"))
    assert "no version folders" in text
    assert "skipped tables/²/: not a version number (ASCII digits only" in text
