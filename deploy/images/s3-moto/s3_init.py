"""Create the archive bucket on the S3 server once, as minio-init does on MinIO: object
lock (only possible at creation), versioning, default COMPLIANCE retention. Idempotent:
run again (every `up`), it leaves the bucket and its objects as they are."""

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
    s3.head_bucket(Bucket=bucket)
    exists = True
except ClientError:
    exists = False
# Only when it is missing, as `mc ls … || mc mb` of minio-init: moto's CreateBucket in
# us-east-1 answers 200 for an existing bucket and replaces it with an empty one.
if exists:
    print(f"s3-init: bucket {bucket} exists")
else:
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    print(f"s3-init: bucket {bucket} created with object lock")
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
rule = {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": days}}
current = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
if {k: v for k, v in current.get("Rule", {}).get("DefaultRetention", {}).items() if v} != rule[
    "DefaultRetention"
]:
    # (moto refuses this on a bucket that holds objects; S3 and MinIO allow it)
    s3.put_object_lock_configuration(
        Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": rule}
    )
lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
print(f"s3-init: versioning on, object lock {lock}")
sys.exit(0 if lock.get("ObjectLockEnabled") == "Enabled" else 1)
