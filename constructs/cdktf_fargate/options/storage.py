"""The option type of a task's Amazon EBS volume: one a task, made by ECS when the task starts, attached to it
alone, and deleted when it stops (Amazon ECS's "managed" EBS volumes)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, Literal

from ._base import OptionType, Pattern, Range, option

Report = Callable[[str, Any, str], None]

VolumeType = Literal["gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"]
MOUNT_PATH = Pattern(re.compile(r"/[A-Za-z0-9._/-]*"), "must be an absolute path")
SNAPSHOT = Pattern(re.compile(r"snap-[0-9a-f]{8,17}"), "must be an EBS snapshot id like 'snap-0123456789abcdef0'")
# CreateVolume's limits per volume type (Amazon EBS User Guide, "Amazon EBS volume types"): the size in GiB,
# the IOPS a volume may be given (None: the type takes none), the IOPS per GiB, and the throughput in MiB/s.
SIZES = {
    "gp3": (1, 16_384),
    "gp2": (1, 16_384),
    "io1": (4, 16_384),
    "io2": (4, 65_536),
    "st1": (125, 16_384),
    "sc1": (125, 16_384),
    "standard": (1, 1_024),
}
IOPS = {"gp3": (3_000, 16_000), "io1": (100, 64_000), "io2": (100, 256_000)}
IOPS_PER_GIB = {"gp3": 500, "io1": 50, "io2": 1_000}
GP3_THROUGHPUT_PER_IOPS = 0.25

# AWS's managed policy for an ECS infrastructure role that manages tasks' EBS volumes, and what EBS asks of
# whoever makes a volume encrypted with a customer key (EBS User Guide, "Amazon EBS encryption").
ECS_VOLUMES_MANAGED_POLICY = "AmazonECSInfrastructureRolePolicyForVolumes"
EBS_KEY_ACTIONS = (
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EbsVolume(OptionType):
    """An EBS volume for each task, encrypted (with the environment's key when it has one) and mounted into the
    application container; its data lives as long as the task (a snapshot can seed it)."""

    mount_path: str = option("", "where the application container sees it; '' : no volume")
    size_gib: int = option(20, "its size; within what the volume type allows", Range(1, 65_536))
    volume_type: VolumeType = option("gp3", "the EBS volume type")
    iops: int | None = option(None, "provisioned IOPS: gp3 (default 3000), io1 and io2 (required)", Range(100, 256_000))
    throughput_mibps: int | None = option(None, "gp3 only: MiB/s (default 125)", Range(125, 1_000))
    snapshot_id: str = option("", "start from this snapshot; '' : an empty volume")
    file_system: Literal["ext4", "xfs", "ext3"] = option("ext4", "the file system ECS makes on it")
    read_only: bool = option(False, "the application may only read it (with a snapshot)")

    @property
    def enabled(self) -> bool:
        return bool(self.mount_path)

    def _cross_check(self, report: Report) -> None:
        if not self.enabled:
            if self != EbsVolume():
                report("mount_path", self.mount_path, "is needed for the volume's other settings to mean anything")
            return
        if not MOUNT_PATH(self.mount_path):
            report("mount_path", self.mount_path, MOUNT_PATH.described)
        if self.snapshot_id and not SNAPSHOT(self.snapshot_id):
            report("snapshot_id", self.snapshot_id, SNAPSHOT.described)
        kind = self.volume_type
        low, high = SIZES[kind]
        if not low <= self.size_gib <= high:
            report("size_gib", self.size_gib, f"a {kind} volume is {low}-{high} GiB")
        if kind not in IOPS:
            if self.iops is not None:
                report("iops", self.iops, f"a {kind} volume takes no provisioned IOPS (gp3, io1 and io2 do)")
        elif self.iops is None:
            if kind != "gp3":
                report("iops", None, f"a {kind} volume needs its provisioned IOPS")
        else:
            least, most = IOPS[kind]
            if not least <= self.iops <= most:
                report("iops", self.iops, f"a {kind} volume takes {least}-{most} IOPS")
            elif self.iops > IOPS_PER_GIB[kind] * self.size_gib:
                report("iops", self.iops, f"a {kind} volume takes at most {IOPS_PER_GIB[kind]} IOPS a GiB: "
                       f"{IOPS_PER_GIB[kind] * self.size_gib} for {self.size_gib} GiB")  # fmt: skip
        if self.throughput_mibps is not None:
            if kind != "gp3":
                report("throughput_mibps", self.throughput_mibps, "only a gp3 volume takes a throughput")
            else:
                iops = self.iops or IOPS["gp3"][0]
                if self.throughput_mibps > GP3_THROUGHPUT_PER_IOPS * iops:
                    report("throughput_mibps", self.throughput_mibps, "a gp3 volume takes at most 0.25 MiB/s an "
                           f"IOPS: {GP3_THROUGHPUT_PER_IOPS * iops:g} with {iops} IOPS")  # fmt: skip
        if self.read_only and not self.snapshot_id:
            report("read_only", True, "an empty volume the application cannot write holds nothing: give snapshot_id")


__all__ = ["EBS_KEY_ACTIONS", "ECS_VOLUMES_MANAGED_POLICY", "EbsVolume", "check_volume_mount"]


def check_volume_mount(report: Report, volume: EbsVolume, scratch_paths: tuple[str, ...]) -> None:
    """A task's volume and its application's scratch paths may not hold one another."""
    where = volume.mount_path
    for path in scratch_paths if where else ():
        if path == where or path.startswith(f"{where}/") or where.startswith(f"{path}/"):
            report("ebs_volume.mount_path", where, f"overlaps container.scratch_paths' {path!r}")
