"""scripts/bench_deploy.py's arithmetic: a CLI run split into phases by the Terraform wrapper's timings,
and the slowest resources read from the CLI's output. (`make bench-deploy` runs it for real.)"""

from __future__ import annotations

import pytest
from bench_deploy import PHASES, phases, short, slowest_resources


def test_a_deploy_splits_into_the_cli_init_apply_outputs_and_exit():
    started = 1000.0
    timings = [
        {"command": "version", "started": 1001.0, "seconds": 0.3},
        {"command": "init", "started": 1008.0, "seconds": 1.5},
        {"command": "apply", "started": 1009.6, "seconds": 20.0},
        {"command": "output", "started": 1029.8, "seconds": 0.7},
    ]
    split = phases(timings, started, 1030.9)
    assert split == pytest.approx(dict(zip(PHASES, (8.0, 1.5, 20.0, 0.7, 0.4), strict=True)))


def test_a_destroy_has_no_outputs_phase():
    timings = [
        {"command": "init", "started": 7.0, "seconds": 1.0},
        {"command": "destroy", "started": 8.0, "seconds": 30.0},
    ]
    assert phases(timings, 0.0, 38.5) == pytest.approx(dict(zip(PHASES, (7.0, 1.0, 30.0, 0.0, 0.5), strict=True)))


def test_the_slowest_resources_come_from_the_clis_complete_lines():
    output = (
        "bench-local  aws_lb.alb_load-balancer_01CCC475: Creation complete after 1m1s [id=arn:…]\n"
        "             aws_vpc.network_vpc_4E8F0223: Creation complete after 11s [id=vpc-1]\n"
        "bench-local  aws_ecs_service.service_service_37EEEF3E: Modifications complete after 0s\n"
        "             aws_subnet.network_public-subnet-0_3247A438: Destruction complete after 2s\n"
        "             aws_s3_bucket.alb_bucket_D864ED4B: Still creating... [10s elapsed]\n"
        "             aws_route.a: Creation complete after 1s\n"
    )
    assert slowest_resources(output) == {
        "aws_lb.alb_load-balancer_01CCC475": 61,
        "aws_vpc.network_vpc_4E8F0223": 11,
        "aws_subnet.network_public-subnet-0_3247A438": 2,
        "aws_route.a": 1,
    }
    assert short("aws_lb.alb_load-balancer_01CCC475") == "aws_lb.alb_load-balancer"
