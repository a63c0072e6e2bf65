"""Everything is declared in pyproject.toml; this only adds the start-up hook's .pth file to the
wheel's root (site-packages), which setuptools cannot declare: `_cdktf_fargate_startup` says why."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "cdktf_fargate_startup.pth"


class BuildPyWithStartupHook(build_py):
    def run(self) -> None:
        super().run()
        self.copy_file(str(Path("constructs") / PTH), str(Path(self.build_lib) / PTH))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), str(Path(self.build_lib) / PTH)]


setup(cmdclass={"build_py": BuildPyWithStartupHook})
