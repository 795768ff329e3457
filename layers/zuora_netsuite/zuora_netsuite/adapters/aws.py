"""What every boto3 client and resource of the connector is built with.

`parameter_validation=False`: botocore checks each request's parameters against the service model before sending
it (about 5 % of a sync record's CPU in a profile of a batch, issue 14); the requests are the adapters' own, built
from typed code, and DynamoDB and SQS validate them again on their side (a ValidationException, reported as any
other ClientError). https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html"""

from __future__ import annotations

from botocore.config import Config

CLIENT_CONFIG = Config(parameter_validation=False)
