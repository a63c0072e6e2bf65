#!/usr/bin/env python
"""Synthesize the stack of the environment named by CDKTF_FARGATE_ENV (default: prod), or with
CDKTF_FARGATE_ENV=bootstrap the account's bootstrap stack (`make bootstrap`)."""

import os

import cdktf_fargate  # noqa: F401  (first: it sets up the fast provider import)

from cdktf import App

from stacks import BootstrapStack, WebServiceStack, load_bootstrap, load_environment
from stacks.environments import BOOTSTRAP_TABLE, ENV_VAR

app = App()
if os.environ.get(ENV_VAR) == BOOTSTRAP_TABLE:
    bootstrap, environments = load_bootstrap()
    BootstrapStack(app, bootstrap.stack_name, config=bootstrap, environments=environments)
else:
    config = load_environment()
    WebServiceStack(app, config.stack_name, config=config)
app.synth()
