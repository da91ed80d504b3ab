"""The image fact's records: an image build, its COPY steps, the Prisma commands its build runs,
its node_modules, migrations and `.env` files."""

from __future__ import annotations

from dataclasses import field

from analysis.model import Location, Related
from analysis.parsers.dockerfile.records import Command, Copy, DockerfileFile, Stage, Variable
from analysis.parsers.dockerignore import DockerIgnore, IgnorePattern
from analysis.records import dataclass

EXAMPLE_ENV_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults", ".schema")


@dataclass(slots=True, frozen=True)
class BuildUse:
    """A compose service that builds the image."""

    compose_file: str
    service: str
    target: str | None
    location: Location
    env_files: tuple[tuple[str, Location], ...] = ()
    """The service's `env_file:` entries: (path from the project root, where it is named)."""


@dataclass(slots=True, frozen=True)
class CopyStep:
    """A `COPY`/`ADD` of a stage the final image is made from. `origin` is "context", "stage"
    (`--from` an earlier stage, `from_stage` its index), "image" (`--from` another image) or
    "heredoc"."""

    stage: int
    copy: Copy
    origin: str
    from_stage: int | None
    location: Location
    in_final_stage: bool

    @property
    def text(self) -> str:
        flag = f" --from={self.copy.from_stage}" if self.copy.from_stage else ""
        return f"{self.copy.keyword}{flag} {' '.join(self.copy.sources)} {self.copy.destination}"


@dataclass(slots=True, frozen=True)
class PrismaCommand:
    """A Prisma CLI command that runs during `docker build`. `command` is normalized across
    Prisma generations ("generate", "migrate deploy", "migrate dev", "db push", ...);
    `location` is the line of the `prisma` command itself (a package.json script line when a
    `RUN` reaches it through a script); `run` the Dockerfile `RUN`; `via` the links between."""

    command: str
    text: str
    flags: tuple[str, ...]
    location: Location
    run: Location
    stage: int
    via: tuple[Related, ...] = ()
    schema_present: bool = True
    implicit: bool = False
    in_final_image: bool = True


@dataclass(slots=True, frozen=True)
class NodeModules:
    """How `node_modules` gets into the final image. `dev_dependencies`: True when
    devDependencies are installed, False when the install omits them, None when unknown or there
    is no node_modules. `prisma_cli`: whether the `prisma` CLI package is in it (None: unknown)."""

    present: bool
    dev_dependencies: bool | None
    how: str
    location: Location | None = None
    prisma_cli: bool | None = None


@dataclass(slots=True, frozen=True)
class MigrationsInImage:
    """A Prisma migrations folder of the build context and whether the final image has it."""

    folder: str
    files: int
    in_image: int
    image_path: str | None
    ignored_by: IgnorePattern | None
    copy: Location | None
    belongs: bool = True
    """The folder belongs to the image's app (its nearest package.json is the one the image
    installs from), not to another project that happens to lie in the build context."""

    @property
    def present(self) -> bool:
        return self.in_image > 0

    @property
    def status(self) -> str:
        if self.files and self.in_image == self.files:
            return "in image"
        if self.in_image:
            return "partly in image"
        if self.ignored_by is not None:
            return "excluded by .dockerignore"
        return "not copied"


@dataclass(slots=True, frozen=True)
class EnvFileInContext:
    """A `.env` file inside the build context. `reincluded_by` is the `!` pattern that brings it
    back after an exclusion; `copied_by` the first COPY that takes it into a stage."""

    path: str
    reaches_context: bool
    excluded_by: IgnorePattern | None
    reincluded_by: IgnorePattern | None
    copied_by: Location | None
    in_final_image: bool
    copied_into: str | None = None
    named_by: str = ""
    """For a file the checkout lacks but the project names: the file that names it (the
    template `.env.example` names `.env`); it would be copied when somebody creates it."""
    named_line: int = 1
    named_as: str = ""
    """How `named_by` names it: "template", "env_file" (a compose `env_file:` of a service
    that builds the image) or "mention" (a script, Dockerfile, compose file or package.json
    spells `.env.local` / `.env.production`)."""

    @property
    def present(self) -> bool:
        return not self.named_by


@dataclass(slots=True, frozen=True)
class Image:
    """One image build: a Dockerfile with a build context (and a target)."""

    dockerfile: str
    context: str
    target: str | None
    uses: tuple[BuildUse, ...]
    file: DockerfileFile | None
    dockerignore_path: str | None
    dockerignore: DockerIgnore | None
    stage: Stage | None
    stages_used: tuple[int, ...] = ()
    copies: tuple[CopyStep, ...] = ()
    prisma: tuple[PrismaCommand, ...] = ()
    node_modules: NodeModules = field(default_factory=lambda: NodeModules(False, None, "none"))
    migrations: tuple[MigrationsInImage, ...] = ()
    schemas: tuple[str, ...] = ()
    schemas_in_image: tuple[str, ...] = ()
    app_schemas: tuple[str, ...] = ()
    env_files: tuple[EnvFileInContext, ...] = ()
    copies_context: bool = False
    context_copy: Location | None = None
    target_missing: bool = False
    context_reason: str = ""
    """Why this is the build context: a compose `build:`, a `docker build` of a script or
    workflow, or (inferred) the folder where the Dockerfile's COPY/ADD sources exist."""

    @property
    def context_inferred(self) -> bool:
        """No compose file builds it and its context is not its own folder: keepdata derived
        the context (the repository root where its COPY sources are, or a `docker build` of a
        script or workflow). Good for following what the image runs; not for claiming that
        something is missing from it (KD207, KD208, KD302, KD303 stay quiet)."""
        return self.context_reason.startswith((INFERRED_ROOT, SCRIPTED_BUILD))

    @property
    def stages(self) -> tuple[Stage, ...]:
        return self.file.stages if self.file is not None else ()

    @property
    def final_stage(self) -> Stage | None:
        return self.stage

    @property
    def final_chain(self) -> tuple[int, ...]:
        """The final stage and the stages it is built FROM (their ENV, VOLUME... are its own)."""
        if self.file is None or self.stage is None:
            return ()
        return tuple(s.index for s in self.file.chain(self.stage))

    @property
    def label(self) -> str:
        t = f" (target {self.target})" if self.target else ""
        return f"{self.dockerfile}{t}"

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(u.service for u in self.uses)

    @property
    def entrypoint(self) -> Command | None:
        """The final stage's ENTRYPOINT (inherited from the stage it is built FROM if unset)."""
        return self.stage.effective_entrypoint if self.stage is not None else None

    @property
    def cmd(self) -> Command | None:
        return self.stage.effective_cmd if self.stage is not None else None

    @property
    def env(self) -> tuple[Variable, ...]:
        """The final image's ENV (its own and its FROM-stages')."""
        return self.stage.effective_env if self.stage is not None else ()

    @property
    def volumes(self) -> tuple[str, ...]:
        """Every `VOLUME` path the final image declares (its own and its FROM-stages')."""
        if self.file is None or self.stage is None:
            return ()
        out: list[str] = []
        for st in self.file.chain(self.stage):
            for v in st.volumes:
                out.extend(p for p in v.paths if p not in out)
        return tuple(out)

    @property
    def app_migrations(self) -> tuple[MigrationsInImage, ...]:
        """The migrations folders of the image's own app."""
        return tuple(m for m in self.migrations if m.belongs)

    @property
    def generate_commands(self) -> tuple[PrismaCommand, ...]:
        return tuple(p for p in self.prisma if p.command == "generate")

    def rel_in_context(self, root_rel: str) -> str | None:
        """`root_rel` (root-relative) as a path relative to the build context, or None."""
        if self.context in ("", "."):
            return root_rel
        if root_rel == self.context:
            return "."
        if root_rel.startswith(self.context + "/"):
            return root_rel[len(self.context) + 1 :]
        return None


INFERRED_ROOT = "the repository root"


SCRIPTED_BUILD = "`docker build` in"
