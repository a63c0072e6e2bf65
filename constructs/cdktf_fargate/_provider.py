"""The one place that decides how the AWS provider bindings are imported.

The prebuilt bindings' package ``__init__`` imports all ~2,100 resource modules,
which costs 10-15 s of pure Python on every synth. Python always runs a package's
``__init__`` before any of its submodules, so ``from cdktf_cdktf_provider_aws.vpc
import Vpc`` pays that cost too. ``use_lazy_provider_package`` registers a stand-in
package under the same name whose ``__path__`` is the installed directory:
submodules then load from disk as usual, one by one, and any other attribute is
imported on first access (PEP 562), so other code in the process that imports the
provider the ordinary way keeps working. jsii's type checks are untouched: each
submodule is the installed file, run as it is.

The node side has the same problem: the jsii kernel requires the provider's
``lib/index.js``, which requires all 2,135 JavaScript resource modules (~1.8 s).
When this module is first to start the kernel, it starts it with
``_lazy_provider_require.js`` preloaded, which makes only that file's requires lazy.
Installed packages are not edited.

Set ``CDKTF_FARGATE_EAGER_PROVIDER=1`` to import the package the ordinary way
(the benchmark compares both).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path

PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"
EAGER_ENV_VAR = "CDKTF_FARGATE_EAGER_PROVIDER"
NODE_PRELOAD = Path(__file__).with_name("_lazy_provider_require.js")


def _start_kernel_with_lazy_node_require() -> bool:
    """Start the jsii kernel with the preload, unless some assembly (and so the kernel) is loaded already."""
    if any(name.endswith("._jsii") for name in sys.modules):
        return False
    previous = os.environ.get("NODE_OPTIONS")
    preload = f'--require "{NODE_PRELOAD}"'
    os.environ["NODE_OPTIONS"] = f"{previous} {preload}" if previous else preload
    try:
        # Loading the first assembly starts the kernel process, which copies the environment.
        importlib.import_module("constructs._jsii")
    finally:
        if previous is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = previous
    return True


def _submodule_names(package_dir: Path) -> list[str]:
    return sorted(
        entry.name
        for entry in package_dir.iterdir()
        if entry.is_dir() and not entry.name.startswith("_") and (entry / "__init__.py").is_file()
    )


def use_lazy_provider_package() -> bool:
    """Install the lazy stand-in unless the provider is already imported or eager mode is asked for.

    Returns whether the stand-in is (now) in place.
    """
    existing = sys.modules.get(PROVIDER_PACKAGE)
    if existing is not None:
        return bool(getattr(existing, "__cdktf_fargate_lazy__", False))
    if os.environ.get(EAGER_ENV_VAR, "").strip().lower() in ("1", "true", "yes"):
        return False

    spec = importlib.util.find_spec(PROVIDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"{PROVIDER_PACKAGE} is not installed; install cdktf-cdktf-provider-aws==20.1.0", name=PROVIDER_PACKAGE
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    names = _submodule_names(package_dir)
    _start_kernel_with_lazy_node_require()

    package = types.ModuleType(PROVIDER_PACKAGE, "AWS provider bindings, loaded one submodule at a time.")
    package.__file__ = spec.origin
    package.__path__ = [str(package_dir)]
    package.__package__ = PROVIDER_PACKAGE
    package.__spec__ = spec
    package.__all__ = names  # type: ignore[attr-defined]
    package.__cdktf_fargate_lazy__ = True  # type: ignore[attr-defined]

    def __getattr__(name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            module = importlib.import_module(f"{PROVIDER_PACKAGE}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{PROVIDER_PACKAGE}.{name}":
                raise
            # The root package re-exports the assembly handle from _jsii; anything else is absent there too.
            jsii_module = importlib.import_module(f"{PROVIDER_PACKAGE}._jsii")
            if hasattr(jsii_module, name):
                return getattr(jsii_module, name)
            raise AttributeError(f"module {PROVIDER_PACKAGE!r} has no attribute {name!r}") from None
        return module

    def __dir__() -> list[str]:
        return sorted(set(names) | set(package.__dict__))

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    package.__dir__ = __dir__  # type: ignore[method-assign]
    sys.modules[PROVIDER_PACKAGE] = package
    return True
