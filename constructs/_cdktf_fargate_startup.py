"""The fast provider import, set up when Python starts, whatever order an app imports things in.

The installed package puts ``cdktf_fargate_startup.pth`` in site-packages; Python runs it at
start-up, and it calls ``install()``, which only adds an import hook (nothing is imported then).

Why: the prebuilt bindings' package ``__init__`` imports all ~2,100 resource modules, which costs
10-15 s of pure Python on every synth, and Python always runs a package's ``__init__`` before any
of its submodules. The hook answers the first import of ``cdktf_cdktf_provider_aws`` with a
stand-in package whose ``__path__`` is the installed directory: submodules then load from disk
one by one, and any other attribute is imported on first access (PEP 562), so code that uses the
package the ordinary way keeps working. jsii's type checks are untouched: each submodule is the
installed file, run as it is.

The node side has the same problem: the jsii kernel requires the provider's ``lib/index.js``,
which requires all 2,135 JavaScript resource modules (~1.8 s). The hook starts the kernel (the
first jsii assembly loaded, ``constructs._jsii``) with ``cdktf_fargate/_lazy_provider_require.js``
preloaded, which makes only that file's requires lazy. Installed packages are not edited.

``import cdktf_fargate`` does the same when the hook is not installed (a source checkout on
``PYTHONPATH``). ``CDKTF_FARGATE_EAGER_PROVIDER=1`` turns both off (the benchmark compares).
This module imports nothing heavy: it runs in every Python process of the environment.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path

PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"
FIRST_ASSEMBLY = "constructs._jsii"
EAGER_ENV_VAR = "CDKTF_FARGATE_EAGER_PROVIDER"
NODE_PRELOAD = Path(__file__).resolve().with_name("cdktf_fargate") / "_lazy_provider_require.js"


def eager() -> bool:
    return os.environ.get(EAGER_ENV_VAR, "").strip().lower() in ("1", "true", "yes")


_state = {"kernel_preloaded": False}


def _with_node_preload(load: types.FunctionType | object) -> None:
    """Run ``load`` (which starts the jsii kernel) with the preload in NODE_OPTIONS, then restore it."""
    _state["kernel_preloaded"] = True
    previous = os.environ.get("NODE_OPTIONS")
    preload = f'--require "{NODE_PRELOAD}"'
    os.environ["NODE_OPTIONS"] = f"{previous} {preload}" if previous else preload
    try:
        load()  # type: ignore[operator]
    finally:
        if previous is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = previous


def _kernel_started() -> bool:
    return any(name.endswith("._jsii") for name in sys.modules)


def _start_kernel_with_lazy_node_require() -> bool:
    """Start the jsii kernel with the preload, unless some assembly (and so the kernel) is loaded already."""
    if _kernel_started():
        return False
    _with_node_preload(lambda: importlib.import_module(FIRST_ASSEMBLY))
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
    if eager():
        return False
    spec = _HOOK.real_spec(PROVIDER_PACKAGE)
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
    # Its own spec: the import system answers a later import of the name with this module's spec,
    # and the real one would run the package's __init__ after all.
    package.__spec__ = importlib.machinery.ModuleSpec(
        PROVIDER_PACKAGE, _ExistingModuleLoader(), origin=spec.origin, is_package=True
    )
    package.__spec__.submodule_search_locations = [str(package_dir)]
    package.__loader__ = package.__spec__.loader
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


class _ExistingModuleLoader(importlib.abc.Loader):
    """Hands the import system the stand-in that ``use_lazy_provider_package`` registered."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return sys.modules[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class _PreloadingLoader:
    """Loads the first jsii assembly with the node preload, so the kernel starts with it. Everything
    else (``get_resource_reader``, which jsii uses to read the assembly) is the real loader's."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> object:
        return getattr(self._loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        # Every cdktf assembly depends on this one and imports it before loading itself, so its load
        # is the process's first: the kernel starts here.
        _with_node_preload(lambda: self._loader.exec_module(module))


class _Hook(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self._looking = False

    def real_spec(self, name: str) -> importlib.machinery.ModuleSpec | None:
        """The spec the other finders give, without this hook answering."""
        self._looking = True
        try:
            return importlib.util.find_spec(name)
        finally:
            self._looking = False

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if self._looking or name not in (PROVIDER_PACKAGE, FIRST_ASSEMBLY) or eager():
            return None
        if name == FIRST_ASSEMBLY:
            spec = self._find(name, path, target)
            if spec is not None and spec.loader is not None and _provider_installed():
                spec.loader = _PreloadingLoader(spec.loader)  # type: ignore[assignment]
            return spec
        if not use_lazy_provider_package():
            return None
        stand_in: importlib.machinery.ModuleSpec = sys.modules[PROVIDER_PACKAGE].__spec__  # type: ignore[assignment]
        return stand_in

    def _find(
        self, name: str, path: Sequence[str] | None, target: types.ModuleType | None
    ) -> importlib.machinery.ModuleSpec | None:
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                return spec
        return None


def _provider_installed() -> bool:
    return PROVIDER_PACKAGE in sys.modules or _HOOK.real_spec(PROVIDER_PACKAGE) is not None


_HOOK = _Hook()


def slow_import_warning() -> str | None:
    """One line saying what made this process's provider import slow and how to fix it, or None."""
    if eager():
        return None
    provider = sys.modules.get(PROVIDER_PACKAGE)
    slow = []
    if provider is not None and not getattr(provider, "__cdktf_fargate_lazy__", False):
        slow.append("cdktf_cdktf_provider_aws was imported whole (~10 s)")
    if _kernel_started() and not _state["kernel_preloaded"]:
        slow.append("the jsii kernel started without the lazy require (~2 s)")
    if not slow:
        return None
    return (
        f"cdktf_fargate: synth is slower than it needs to be: {' and '.join(slow)}, because they were imported "
        "before cdktf_fargate and its start-up hook is not installed; import cdktf_fargate first, or install the "
        "package (pip install cdktf-fargate adds the hook) - set CDKTF_FARGATE_EAGER_PROVIDER=1 to silence this"
    )


def install() -> None:
    """Put the import hook first on ``sys.meta_path`` (once)."""
    if _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)
