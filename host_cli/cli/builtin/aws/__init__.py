"""``getdotenv aws``: an AWS profile, region and credentials resolved through botocore for the
commands below it (``whoami``, ``secrets``, mounted plugins) and for the AWS CLI.

Modules: ``group`` (the command group, its flags, forwarding to the AWS CLI), ``context``
(``AwsContext``, what children receive, resolved on first use), ``resolve`` (botocore; the
only module that imports it), ``whoami``. Importing this package imports nothing else.
"""
