"""Create the archive bucket on the S3 server once, as minio-init does on MinIO: object
lock (only possible at creation), versioning, default COMPLIANCE retention. Idempotent."""

import os
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

endpoint = os.environ.get("S3_URL", "https://minio:9000")
bucket = os.environ.get("BUCKET", "tdkt-archive")
days = int(os.environ.get("RETENTION_DAYS", "3650"))
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    aws_access_key_id=os.environ.get("APP_ACCESS_KEY", "x"),
    aws_secret_access_key=os.environ.get("APP_SECRET_KEY", "x"),
    region_name="us-east-1",
    verify=os.environ.get("CA_BUNDLE", "/certs/cert.pem"),
    config=Config(retries={"max_attempts": 10}),
)
for _ in range(60):
    try:
        s3.list_buckets()
        break
    except EndpointConnectionError:
        time.sleep(1)
try:
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    print(f"s3-init: bucket {bucket} created with object lock")
except ClientError as exc:
    if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
        raise
    print(f"s3-init: bucket {bucket} exists")
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
s3.put_object_lock_configuration(
    Bucket=bucket,
    ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": days}},
    },
)
lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
print(f"s3-init: versioning on, object lock {lock}")
sys.exit(0 if lock.get("ObjectLockEnabled") == "Enabled" else 1)
