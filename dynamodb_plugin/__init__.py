"""getdotenv's dynamodb plugin: a local DynamoDB for development and versioned tables.

The entry point is ``dynamodb_plugin.plugin``; nothing is imported here.
"""
