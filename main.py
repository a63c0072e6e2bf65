#!/usr/bin/env python
"""Synthesize the web service stack for the environment named by CDKTF_FARGATE_ENV (default: prod)."""

import cdktf_fargate  # noqa: F401  (first: it sets up the fast provider import)

from cdktf import App

from stacks import WebServiceStack, load_environment

config = load_environment()
app = App()
WebServiceStack(app, config.stack_name, config=config)
app.synth()
