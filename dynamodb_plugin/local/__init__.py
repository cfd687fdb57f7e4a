"""The local DynamoDB: config commands, the built-in server, its record and snapshots."""
