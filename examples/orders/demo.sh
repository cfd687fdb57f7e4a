#!/usr/bin/env sh
# The tool's main job on the sample project: compose its environment, start the built-in local
# DynamoDB on a free port (in memory: the demo can run again), create the project's table in it,
# list it, stop the server.
# Run from anywhere after `pip install '.[local]'` into .venv (the README's first command).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PATH="$here/../../.venv/bin:$PATH"
cd "$here"
getdotenv -e dev cmd 'echo "composed: SERVICE_NAME=$SERVICE_NAME STAGE_NAME=$STAGE_NAME DATABASE_URL=$DATABASE_URL TABLE_NAME=$TABLE_NAME"'
getdotenv dynamodb local start --port 0 --in-memory
trap 'getdotenv dynamodb local stop' EXIT
getdotenv dynamodb tables create
getdotenv dynamodb tables list
getdotenv -e dev cmd 'echo "the app sees DYNAMODB_LOCAL_ENDPOINT=$DYNAMODB_LOCAL_ENDPOINT"'
