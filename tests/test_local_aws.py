"""`cdktf-fargate emulator` (the cdktf_fargate_emulator package): `stop` signals the emulator it started,
and never a process that took its pid; `endpoint` names the emulator for Terraform as the settings do; the
gaps it fills in moto."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import tomllib
from typing import Any

import pytest
from cdktf_fargate_emulator import endpoint_assignment, stop
from conftest import ROOT

from stacks.environments import load_bootstrap, load_environment

EMULATOR = [sys.executable, "-m", "cdktf_fargate_cli", "emulator"]


@pytest.mark.parametrize("environment", sorted(tomllib.loads((ROOT / "environments.toml").read_text())))
def test_the_endpoint_given_to_terraform_is_the_environments_aws_endpoint_url(environment):
    if environment == "bootstrap":
        url = load_bootstrap()[0].aws_endpoint_url
    else:
        url = load_environment(environment).aws_endpoint_url
    credentials = "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
    assert endpoint_assignment(environment) == (f"AWS_ENDPOINT_URL={url} {credentials}" if url else "")


def test_the_endpoint_follows_the_settings_file_and_environment_the_stack_reads(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text('[prod]\n[local]\naws_endpoint_url = "http://127.0.0.1:4999"\n')
    monkeypatch.setenv("CDKTF_FARGATE_CONFIG", str(settings))
    monkeypatch.setenv("CDKTF_FARGATE_ENV", "local")
    assignment = "AWS_ENDPOINT_URL=http://127.0.0.1:4999 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
    assert endpoint_assignment() == assignment
    assert load_environment().aws_endpoint_url == "http://127.0.0.1:4999"
    monkeypatch.delenv("CDKTF_FARGATE_ENV")
    assert endpoint_assignment() == "" and load_environment().aws_endpoint_url == ""
    printed = subprocess.run([*EMULATOR, "endpoint", "local"], capture_output=True, text=True, check=True)
    assert printed.stdout == assignment + "\n"


def test_every_make_target_that_runs_terraform_gives_it_the_emulators_endpoint():
    makefile = (ROOT / "Makefile").read_text()
    recipes = [line.strip() for line in makefile.splitlines() if line.startswith("\t")]
    terraform_runs = [
        line
        for line in recipes
        if re.search(r"\$\(CDKTF\) (deploy|destroy|diff)\b", line)
        or "cdktf-fargate drift" in line
        or "-m scripts.bootstrap" in line
        or "-m scripts.repositories_first" in line
    ]
    assert len(terraform_runs) == 10, terraform_runs
    for line in terraform_runs:
        assert line.startswith("$(call emulator_endpoint"), line


def test_stop_signals_nothing_when_the_pid_is_not_the_emulators(tmp_path):
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pid_file = tmp_path / "moto.pid"
        pid_file.write_text(str(bystander.pid))
        assert stop(pid_file) == 0
        assert bystander.poll() is None
        assert not pid_file.exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_stop_ends_the_emulator_it_started(tmp_path):
    pid_file = tmp_path / "moto.pid"
    emulator = subprocess.Popen(
        [*EMULATOR, "serve", "--port", "0", "--pid-file", str(pid_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists():
            assert emulator.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        assert stop(pid_file) == 0
        assert emulator.wait(timeout=30) == 0
        assert not pid_file.exists()
    finally:
        emulator.kill()


def test_a_bucket_policy_deny_on_a_condition_moto_cannot_evaluate_does_not_apply_but_others_do():
    import json

    import boto3
    import pytest
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="state-bucket")
        tls_only = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::state-bucket", "arn:aws:s3:::state-bucket/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        s3.put_bucket_policy(
            Bucket="state-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only]})
        )
        with pytest.raises(s3.exceptions.ClientError, match=r"\(404\)"):
            s3.head_object(Bucket="state-bucket", Key="missing")
        unconditional = {key: value for key, value in tls_only.items() if key != "Condition"}
        s3.put_bucket_policy(
            Bucket="state-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [unconditional]})
        )
        with pytest.raises(s3.exceptions.ClientError, match=r"\(403\)"):
            s3.head_object(Bucket="state-bucket", Key="missing")


def test_a_bucket_with_delete_markers_can_be_emptied_once_versioning_is_suspended():
    # Destroying the state bucket removes its versioning (Suspended) first, then empties it.
    import boto3
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="state-bucket")
        s3.put_bucket_versioning(Bucket="state-bucket", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="state-bucket", Key="stack/terraform.tfstate.tflock", Body=b"{}")
        s3.delete_object(Bucket="state-bucket", Key="stack/terraform.tfstate.tflock")
        s3.put_bucket_versioning(Bucket="state-bucket", VersioningConfiguration={"Status": "Suspended"})
        s3.delete_object(Bucket="state-bucket", Key="stack/terraform.tfstate.tflock")
        listed = s3.list_object_versions(Bucket="state-bucket")
        assert "Versions" not in listed and "DeleteMarkers" not in listed
        s3.delete_bucket(Bucket="state-bucket")


def test_a_prefix_list_egress_rule_keeps_its_description():
    import boto3
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_egress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "PrefixListIds": [{"PrefixListId": "pl-63a5400a", "Description": "HTTPS to S3"}],
                }
            ],
        )
        rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])
        (rule,) = [r for r in rules["SecurityGroupRules"] if r.get("PrefixListId")]
        assert rule["Description"] == "HTTPS to S3"


def test_step_functions_validates_a_definition_and_lists_no_versions():
    import boto3
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        definition = '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}'
        assert sfn.validate_state_machine_definition(definition=definition)["result"] == "OK"
        arn = sfn.create_state_machine(
            name="job", definition=definition, roleArn="arn:aws:iam::123456789012:role/job-run"
        )["stateMachineArn"]
        assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []


def test_a_queue_keeps_its_policy_through_other_attributes_and_answers_its_redrive_allow_policy():
    import boto3
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="jobs-dead-letter")["QueueUrl"]
        insecure = {"Bool": {"aws:SecureTransport": "false"}}
        deny = {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*", "Condition": insecure}
        policy = json.dumps({"Version": "2012-10-17", "Statement": [deny]})
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        allowed = json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:us-east-1:123456789012:jobs"]}
        )
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": allowed})
        every = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert (every["Policy"], every["RedriveAllowPolicy"]) == (policy, allowed)
        named = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy", "Policy"])["Attributes"]
        assert named == {"RedriveAllowPolicy": allowed, "Policy": policy}
        # A redrive policy comes back as AWS writes it, without spaces.
        source = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        redrive = {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:jobs-dead-letter", "maxReceiveCount": 3}
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": json.dumps(redrive)})
        answered = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["All"])["Attributes"]["RedrivePolicy"]
        assert answered == json.dumps(redrive, separators=(",", ":"))
        # Emptied, as the provider does on destroy: both are gone.
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": "", "Policy": ""})
        left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert "RedriveAllowPolicy" not in left and "Policy" not in left


def fargate_cluster(container: dict) -> tuple[Any, str, str]:
    """Inside mock_aws: a VPC as the stack's (DNS host names on: moto names a task's interface only then),
    a subnet, a security group, the cluster `app` and the Fargate task definition `api` of ``container``
    (its memory on the task only, as the stack's)."""
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="app")
    ecs.register_task_definition(
        family="api",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[container],
    )
    return ecs, subnet, group


def test_a_service_keeps_its_service_connect_configuration_through_an_update():
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        ecs, subnet, group = fargate_cluster(
            {"name": "app", "image": "api:v1", "portMappings": [{"containerPort": 9000, "name": "http"}]}
        )
        published = {
            "enabled": True,
            "namespace": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1",
            "services": [
                {"portName": "http", "discoveryName": "api", "clientAliases": [{"port": 9000, "dnsName": "api"}]}
            ],
        }
        ecs.create_service(
            cluster="app",
            serviceName="api",
            taskDefinition="api",
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
            serviceConnectConfiguration=published,
        )
        (service,) = ecs.describe_services(cluster="app", services=["api"])["services"]
        assert service["deployments"][0]["serviceConnectConfiguration"] == published
        client_only = {"enabled": True, "namespace": published["namespace"]}
        ecs.update_service(cluster="app", service="api", serviceConnectConfiguration=client_only)
        (service,) = ecs.describe_services(cluster="app", services=["api"])["services"]
        assert service["deployments"][0]["serviceConnectConfiguration"] == client_only


def test_a_service_keeps_its_tasks_ebs_volume_configuration_through_an_update():
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        ecs, subnet, group = fargate_cluster({"name": "app", "image": "api:v1"})
        volume = {
            "name": "ebs",
            "managedEBSVolume": {
                "roleArn": "arn:aws:iam::123456789012:role/api-volumes",
                "sizeInGiB": 20,
                "volumeType": "gp3",
                "encrypted": True,
                "filesystemType": "ext4",
            },
        }
        ecs.create_service(
            cluster="app",
            serviceName="api",
            taskDefinition="api",
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
            volumeConfigurations=[volume],
        )
        (service,) = ecs.describe_services(cluster="app", services=["api"])["services"]
        assert service["deployments"][0]["volumeConfigurations"] == [volume]
        bigger = {**volume, "managedEBSVolume": {**volume["managedEBSVolume"], "sizeInGiB": 40}}
        ecs.update_service(cluster="app", service="api", volumeConfigurations=[bigger])
        (service,) = ecs.describe_services(cluster="app", services=["api"])["services"]
        assert service["deployments"][0]["volumeConfigurations"] == [bigger]


def test_one_requests_choice_of_fields_does_not_reach_another_answered_at_the_same_time():
    """DescribeServices with `include=["TAGS"]` and one without, interleaved as two server threads can
    interleave them: the first must still answer with its tags."""
    from cdktf_fargate_emulator import patch_moto
    from moto.ecs.responses import DESCRIBE_SERVICES_TAGS, EC2ContainerServiceResponse

    patch_moto()
    with_tags, without_tags = EC2ContainerServiceResponse(), EC2ContainerServiceResponse()
    with_tags._include_in_response(DESCRIBE_SERVICES_TAGS)
    without_tags._exclude_from_response(DESCRIBE_SERVICES_TAGS)
    tags = [{"key": "Environment", "value": "svc"}]
    assert with_tags.RESPONSE_KEY_PATH_TO_TRANSFORMER[DESCRIBE_SERVICES_TAGS](tags) == tags
    assert without_tags.RESPONSE_KEY_PATH_TO_TRANSFORMER[DESCRIBE_SERVICES_TAGS](tags) != tags
    assert DESCRIBE_SERVICES_TAGS not in EC2ContainerServiceResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER


def test_an_sdks_retry_of_a_call_already_answered_gets_the_answer_again_and_runs_nothing_twice(tmp_path):
    from cdktf_fargate_emulator import AnsweredOnce, RequestLog

    runs = []

    def emulator(environ, start_response):
        runs.append(environ["wsgi.input"].read())
        code = "500 Internal Server Error" if environ.get("HTTP_X_FAIL") else "200 OK"
        start_response(code, [("Content-Type", "text/xml")])
        return [f"<answer>{len(runs)}</answer>".encode()]

    log = tmp_path / "requests.log"
    application = RequestLog(AnsweredOnce(emulator), log)

    def call(invocation: str, attempt: int, **headers: str) -> tuple[str, bytes]:
        environ = {
            "CONTENT_LENGTH": "5",
            "wsgi.input": io.BytesIO(b"rule1"),
            "QUERY_STRING": "Action=AuthorizeSecurityGroupEgress",
            "HTTP_AMZ_SDK_INVOCATION_ID": invocation,
            "HTTP_AMZ_SDK_REQUEST": f"attempt={attempt}; max=25",
            **headers,
        }
        status = []
        body = b"".join(application(environ, lambda code, _headers, *_: status.append(code)))
        return status[0], body

    assert call("a", 1) == ("200 OK", b"<answer>1</answer>")
    # The same call's second attempt: the first answer again, nothing run.
    assert call("a", 2) == ("200 OK", b"<answer>1</answer>")
    assert len(runs) == 1
    # Another call with the same content runs (AWS would refuse a real duplicate).
    assert call("b", 1) == ("200 OK", b"<answer>2</answer>")
    # A failed attempt is not kept: the retry runs.
    assert call("c", 1, HTTP_X_FAIL="1")[0].startswith("500")
    assert call("c", 2) == ("200 OK", b"<answer>4</answer>")
    assert len(runs) == 4
    lines = log.read_text().splitlines()
    assert lines[1].endswith("(attempt 2, answered again without running it)"), lines
    assert lines[-1].endswith("(attempt 2)"), lines


def test_a_fargate_task_whose_container_names_no_memory_runs():
    """As the stack's task definitions are: memory on the task only."""
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        ecs, subnet, group = fargate_cluster({"name": "app", "image": "api:v1"})
        network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}
        (task,) = ecs.run_task(cluster="app", taskDefinition="api", launchType="FARGATE", networkConfiguration=network)[
            "tasks"
        ]
        assert task["taskDefinitionArn"].endswith("task-definition/api:1")
        # The task definition is as registered: no memory was added to its container.
        (container,) = ecs.describe_task_definition(taskDefinition="api")["taskDefinition"]["containerDefinitions"]
        assert "memory" not in container


def test_the_log_names_a_request_the_emulator_failed_on_with_an_exception(tmp_path):
    from cdktf_fargate_emulator import RequestLog

    def failing(environ, start_response):
        raise TypeError("unsupported operand type(s) for +=: 'int' and 'NoneType'")

    log = tmp_path / "requests.log"
    environ = {"CONTENT_LENGTH": "0", "wsgi.input": io.BytesIO(b""), "QUERY_STRING": "Action=RunTask"}
    with pytest.raises(TypeError):
        RequestLog(failing, log)(environ, lambda *_: None)
    first, detail = log.read_text().splitlines()
    assert re.fullmatch(r"\S+ 500 +\d+ ms  - RunTask", first), first
    assert detail == "    TypeError: unsupported operand type(s) for +=: 'int' and 'NoneType'"


def test_port_0_takes_a_free_port_and_the_log_says_what_each_request_asked(tmp_path):
    import boto3
    from cdktf_fargate_emulator import LocalAws

    log = tmp_path / "requests.log"
    with LocalAws(port=0, log=log) as emulator:
        assert emulator.port != 0
        assert emulator.endpoint == f"http://127.0.0.1:{emulator.port}"
        assert emulator in LocalAws.running
        options = {"endpoint_url": emulator.endpoint, "region_name": "us-east-1"}
        credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
        boto3.client("sts", **options, **credentials).get_caller_identity()
        logs = boto3.client("logs", **options, **credentials)
        with pytest.raises(logs.exceptions.ResourceNotFoundException):
            logs.delete_log_group(logGroupName="missing")
        tail = emulator.log_tail()
    assert emulator not in LocalAws.running
    assert re.search(r"^\S+ 200 +\d+ ms  sts GetCallerIdentity$", tail, re.M), tail
    assert re.search(r"^\S+ 400 +\d+ ms  logs DeleteLogGroup  ResourceNotFoundException$", tail, re.M), tail
    # Both emulators answer on their own ports at once.
    with LocalAws(port=0) as first, LocalAws(port=0) as second:
        assert first.port != second.port


def test_the_log_shows_the_body_of_the_emulators_own_failure(tmp_path):
    from cdktf_fargate_emulator import RequestLog

    def refusing(environ, start_response):
        start_response("400 Bad Request", [("Content-Type", "text/xml")])
        return [b"<Response><Errors><Error><Code>InvalidPermission.Duplicate</Code></Error></Errors></Response>"]

    def failing(environ, start_response):
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"Traceback: moto broke\n", b"KeyError: 'x'"]

    log = tmp_path / "requests.log"
    application = RequestLog(failing, log)
    duplicate = RequestLog(refusing, log)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": "31",
        "wsgi.input": io.BytesIO(b"Action=DescribeVpcs&Version=2016"),
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=test/20261206/us-east-1/ec2/aws4_request, Signed",
    }
    assert b"".join(application(environ, lambda status, headers: None)) == b"Traceback: moto broke\nKeyError: 'x'"
    environ.update(
        {"wsgi.input": io.BytesIO(b"Action=DescribeVpcs&Version=2016"), "HTTP_AMZ_SDK_REQUEST": "attempt=2; max=25"}
    )
    b"".join(duplicate(environ, lambda status, headers: None))
    lines = log.read_text().splitlines()
    assert re.fullmatch(r"\S+ 500 +\d+ ms  ec2 DescribeVpcs", lines[0]), lines
    assert lines[1:3] == ["    Traceback: moto broke", "    KeyError: 'x'"]
    # An API error's code, and a request the SDK sent again.
    assert re.fullmatch(r"\S+ 400 +\d+ ms  ec2 DescribeVpcs  InvalidPermission.Duplicate  \(attempt 2\)", lines[3])


def test_a_trust_store_is_made_from_a_ca_bundle_in_s3_and_a_listener_keeps_its_mutual_authentication():
    import boto3
    from botocore.exceptions import ClientError
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="shop-ca")
        pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        s3.put_object(Bucket="shop-ca", Key="clients.pem", Body=pem * 2)
        s3.put_object(Bucket="shop-ca", Key="empty.pem", Body=b"not a certificate")
        elb = boto3.client("elbv2", region_name="us-east-1")
        bundle = {"CaCertificatesBundleS3Bucket": "shop-ca", "CaCertificatesBundleS3Key": "clients.pem"}
        tags = [{"Key": "Environment", "Value": "dev"}]
        (store,) = elb.create_trust_store(Name="shop-dev", Tags=tags, **bundle)["TrustStores"]
        arn = store["TrustStoreArn"]
        assert (store["Status"], store["NumberOfCaCertificates"]) == ("ACTIVE", 2)
        assert elb.describe_trust_stores(Names=["shop-dev"])["TrustStores"] == [store]
        assert elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"] == tags
        for key, code in (
            ("missing.pem", "CaCertificatesBundleNotFound"),
            ("empty.pem", "InvalidCaCertificatesBundle"),
        ):
            with pytest.raises(ClientError, match=code):
                elb.create_trust_store(Name=key.split(".")[0], CaCertificatesBundleS3Bucket="shop-ca",
                                       CaCertificatesBundleS3Key=key)  # fmt: skip
        (revocation,) = elb.add_trust_store_revocations(
            TrustStoreArn=arn, RevocationContents=[{"S3Bucket": "shop-ca", "S3Key": "clients.pem"}]
        )["TrustStoreRevocations"]
        assert elb.describe_trust_store_revocations(TrustStoreArn=arn)["TrustStoreRevocations"] == [revocation]

        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]
            for i, zone in enumerate("ab")
        ]
        balancer = elb.create_load_balancer(Name="shop", Subnets=[s["SubnetId"] for s in subnets])["LoadBalancers"][0]
        verify = {"Mode": "verify", "TrustStoreArn": arn, "IgnoreClientCertificateExpiry": False}
        listener = elb.create_listener(
            LoadBalancerArn=balancer["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
            MutualAuthentication=verify,
        )["Listeners"][0]
        (described,) = elb.describe_listeners(ListenerArns=[listener["ListenerArn"]])["Listeners"]
        assert described["MutualAuthentication"] == verify
        associated = elb.describe_trust_store_associations(TrustStoreArn=arn)["TrustStoreAssociations"]
        assert associated == [{"ResourceArn": balancer["LoadBalancerArn"]}]
        with pytest.raises(ClientError, match="TrustStoreInUse"):
            elb.delete_trust_store(TrustStoreArn=arn)
        elb.modify_listener(ListenerArn=listener["ListenerArn"], MutualAuthentication={"Mode": "off"})
        (described,) = elb.describe_listeners(ListenerArns=[listener["ListenerArn"]])["Listeners"]
        assert "MutualAuthentication" not in described
        elb.delete_trust_store(TrustStoreArn=arn)
        assert elb.describe_trust_stores()["TrustStores"] == []


def test_a_log_group_made_without_a_key_is_given_one_and_loses_it_again():
    import boto3
    from botocore.exceptions import ClientError
    from cdktf_fargate_emulator import patch_moto
    from moto import mock_aws

    patch_moto()
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName="/copilot/shop-test-api")
        key = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
        logs.associate_kms_key(logGroupName="/copilot/shop-test-api", kmsKeyId=key)
        (group,) = logs.describe_log_groups(logGroupNamePrefix="/copilot/shop-test-api")["logGroups"]
        assert group["kmsKeyId"] == key
        logs.disassociate_kms_key(logGroupName="/copilot/shop-test-api")
        (group,) = logs.describe_log_groups(logGroupNamePrefix="/copilot/shop-test-api")["logGroups"]
        assert "kmsKeyId" not in group
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            logs.associate_kms_key(logGroupName="/copilot/missing", kmsKeyId=key)
