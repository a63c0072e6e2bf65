"""A task's Amazon EBS volume (`ServiceOptions.ebs_volume`): the task definition's volume configured at launch,
the service's managed volume with its infrastructure role, and the limits AWS sets, refused at synth."""

from __future__ import annotations

import json
from typing import Any

from cdktf_fargate import Cluster, EbsVolume, FargateService, JobOptions, Network, ScheduledJob, ServiceOptions

import pytest
from conftest import Synthesized, changed, make_network_and_alb, new_stack, ref

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2c1d0"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
BOUNDARY = "arn:aws:iam::123456789012:policy/deploy/shop-prod-boundary"


def build(stack, volume: dict[str, Any], **wiring: Any) -> FargateService:
    network, alb, cluster = make_network_and_alb(stack)
    return FargateService(
        stack,
        "service",
        name="shop",
        cluster=cluster,
        network=network,
        alb=alb,
        image=IMAGE,
        options=ServiceOptions(ebs_volume=changed(EbsVolume(), volume)),
        **wiring,
    )


@pytest.fixture(scope="module")
def volume() -> Synthesized:
    stack = new_stack()
    build(
        stack,
        {"mount_path": "/data", "size_gib": 100, "iops": 6000, "throughput_mibps": 500, "file_system": "xfs"},
        volume_kms_key_arn=KEY,
        permissions_boundary_arn=BOUNDARY,
    )
    return Synthesized(stack)


def test_the_task_definition_leaves_the_volume_to_the_service_and_mounts_it_into_the_application(volume):
    task = volume.only("aws_ecs_task_definition")
    assert {"name": "ebs", "configure_at_launch": True} in task["volume"]
    (app,) = json.loads(task["container_definitions"])
    assert {"sourceVolume": "ebs", "containerPath": "/data", "readOnly": False} in app["mountPoints"]


def test_the_service_makes_each_tasks_volume_encrypted_with_the_key_and_tagged_as_the_service(volume):
    role = volume.by_path("aws_iam_role", "service/volume-role")
    configuration = volume.only("aws_ecs_service")["volume_configuration"]
    assert configuration["name"] == "ebs"
    assert configuration["managed_ebs_volume"] == {
        "role_arn": ref("aws_iam_role", role, "arn"),
        "size_in_gb": 100,
        "volume_type": "gp3",
        "iops": 6000,
        "throughput": 500,
        "file_system_type": "xfs",
        "encrypted": True,
        "kms_key_id": KEY,
        "tag_specifications": [{"resource_type": "volume", "propagate_tags": "SERVICE"}],
    }


def test_the_infrastructure_role_is_ecs_own_with_awss_policy_the_key_through_ec2_and_the_boundary(volume):
    role = volume.by_path("aws_iam_role", "service/volume-role")
    assert (role["name"], role["permissions_boundary"]) == ("shop-volumes", BOUNDARY)
    trust = volume.by_path_data("aws_iam_policy_document", "service/volume-role-trust")["statement"][0]
    assert trust["principals"] == [{"type": "Service", "identifiers": ["ecs.amazonaws.com"]}]
    assert {c["variable"] for c in trust["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}
    attached = volume.only("aws_iam_role_policy_attachment")
    assert attached["policy_arn"].endswith(":iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes")
    (key,) = volume.by_path_data("aws_iam_policy_document", "service/volume-key-policy-document")["statement"]
    assert key["resources"] == [KEY] and "kms:CreateGrant" in key["actions"]
    assert key["condition"][0]["variable"] == "kms:ViaService" and key["condition"][0]["values"][0].startswith("ec2.")


def test_without_a_volume_nothing_of_it_is_made():
    stack = new_stack()
    build(stack, {})
    synth = Synthesized(stack)
    assert "volume_configuration" not in synth.only("aws_ecs_service")
    assert synth.resources("aws_iam_role_policy_attachment") == {}
    assert all(not v.get("configure_at_launch") for v in synth.only("aws_ecs_task_definition")["volume"])


def test_without_a_key_the_volume_uses_the_accounts_default_ebs_key():
    stack = new_stack()
    build(stack, {"mount_path": "/data"})
    synth = Synthesized(stack)
    managed = synth.only("aws_ecs_service")["volume_configuration"]["managed_ebs_volume"]
    assert managed["encrypted"] is True and "kms_key_id" not in managed
    assert not any("volume-key" in name for name in synth.resources("aws_iam_role_policy"))


@pytest.mark.parametrize(
    ("volume", "message"),
    [
        ({"mount_path": "data"}, "mount_path='data' is invalid: must be an absolute path"),
        ({"size_gib": 50}, "mount_path='' is invalid: is needed for the volume's other settings"),
        (
            {"mount_path": "/d", "volume_type": "st1", "size_gib": 100},
            "size_gib=100 is invalid: a st1 volume is 125-16384",
        ),
        ({"mount_path": "/d", "volume_type": "gp2", "iops": 3000}, "iops=3000 is invalid: a gp2 volume takes no"),
        ({"mount_path": "/d", "volume_type": "io2"}, "iops=None is invalid: a io2 volume needs its provisioned IOPS"),
        ({"mount_path": "/d", "volume_type": "io1", "iops": 5000, "size_gib": 20}, "at most 50 IOPS a GiB: 1000"),
        ({"mount_path": "/d", "iops": 2000}, "iops=2000 is invalid: a gp3 volume takes 3000-16000 IOPS"),
        ({"mount_path": "/d", "throughput_mibps": 1000}, "at most 0.25 MiB/s an IOPS: 750 with 3000 IOPS"),
        ({"mount_path": "/d", "volume_type": "io1", "iops": 100, "throughput_mibps": 200}, "only a gp3 volume"),
        ({"mount_path": "/d", "snapshot_id": "snapshot-1"}, "snapshot_id='snapshot-1' is invalid: must be an EBS"),
        ({"mount_path": "/d", "read_only": True}, "an empty volume the application cannot write holds nothing"),
        ({"mount_path": "/tmp/cache"}, "ebs_volume.mount_path='/tmp/cache' is invalid: overlaps container.scratch"),
    ],
)
def test_fails_when_the_volume_is_one_aws_refuses(volume, message):
    with pytest.raises(ValueError, match=None) as error:
        build(new_stack(), volume)
    assert message in str(error.value)


def test_fails_when_the_volumes_key_is_not_an_arn():
    with pytest.raises(ValueError, match=r"volume_kms_key_arn='my-key' is invalid"):
        build(new_stack(), {"mount_path": "/data"}, volume_kms_key_arn="my-key")


def test_each_run_of_a_job_gets_its_volume_through_its_state_machine_which_may_pass_the_volume_role():
    stack = new_stack()
    ScheduledJob(
        stack,
        "job",
        name="report",
        cluster=Cluster(stack, "cluster", name="test"),
        network=Network(stack, "network", name="test"),
        image=IMAGE,
        options=JobOptions(ebs_volume=EbsVolume(mount_path="/work", size_gib=200, volume_type="st1")),
        volume_kms_key_arn=KEY,
    )
    synth = Synthesized(stack)
    role = synth.by_path("aws_iam_role", "job/volume-role")
    run = json.loads(synth.only("aws_sfn_state_machine")["definition"])["States"]["Run"]["Parameters"]
    assert run["VolumeConfigurations"] == [
        {
            "Name": "ebs",
            "ManagedEBSVolume": {
                "RoleArn": ref("aws_iam_role", role, "arn"),
                "SizeInGiB": 200,
                "VolumeType": "st1",
                "FilesystemType": "ext4",
                "Encrypted": True,
                "TagSpecifications": [{"ResourceType": "volume", "PropagateTags": "TASK_DEFINITION"}],
                "KmsKeyId": KEY,
            },
        }
    ]
    statements = {
        s["sid"]: s
        for s in synth.by_path_data("aws_iam_policy_document", "job/state-machine-policy-document")["statement"]
    }
    passed = statements["PassTheVolumeRole"]
    assert passed["resources"] == [ref("aws_iam_role", role, "arn")]
    assert passed["condition"][0]["values"] == ["ecs.amazonaws.com"]
    (app,) = json.loads(synth.only("aws_ecs_task_definition")["container_definitions"])
    assert {"sourceVolume": "ebs", "containerPath": "/work", "readOnly": False} in app["mountPoints"]
