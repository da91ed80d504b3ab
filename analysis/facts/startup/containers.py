"""The container paths: every non-database compose service, and every image no compose service
builds (its ENTRYPOINT/CMD)."""

from __future__ import annotations

import posixpath

from analysis.context import Context
from analysis.facts.compose import ComposeStack
from analysis.facts.images.records import Image
from analysis.facts.published import PublishedImage
from analysis.facts.startup.chain import _Builder
from analysis.facts.startup.database import (
    _code_migration,
    _database_use,
    _env_from_service,
    _env_from_stage,
    _image_env_files,
    _nearest_schemas,
)
from analysis.facts.startup.records import Link, RunContext, WaitStep
from analysis.facts.startup.where import _FS, _At, _PathState
from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.compose.records import Command as ComposeCommand
from analysis.parsers.compose.records import MountKind, Service
from analysis.parsers.dockerfile.records import Command as DockerCommand
from analysis.parsers.prisma_schema.records import ConfigBlock

_LIBRARY_IMAGE = lazy_compile(r"^(?:docker\.io/)?(?:library/)?[a-z0-9._-]+(?::[^/]*)?(?:@.*)?$")


def _command_argv(cmd: DockerCommand | None) -> tuple[str, ...]:
    """A Dockerfile ENTRYPOINT/CMD as Docker runs it."""
    if cmd is None:
        return ()
    return tuple(cmd.argv)


def _dockerfile_link(keyword: str, dockerfile: str, cmd: DockerCommand) -> Link:
    """The link of a Dockerfile `ENTRYPOINT`/`CMD` (`keyword`)."""
    if cmd.exec_form is not None:
        label = f"{keyword} {list(cmd.exec_form)}".replace("'", '"')
    else:
        label = f"{keyword} {cmd.shell}"
    return Link(f"dockerfile-{keyword.lower()}", label, Location(dockerfile, cmd.line))


def _compose_link(service: Service, key: str, setting: ComposeCommand) -> Link:
    """The link of a compose service's `entrypoint`/`command` (`key`)."""
    return Link(
        f"compose-{key}", f'service "{service.name}" {key}: {setting.text}', setting.location
    )


def _stacks(ctx: Context) -> tuple[ComposeStack, ...]:
    from analysis.facts.compose import compose_stacks

    return tuple(ctx.fact(compose_stacks))


def _database_keys(ctx: Context) -> set[tuple[str, str]]:
    from analysis.facts.databases import databases

    return {(d.stack, d.service) for d in ctx.fact(databases)}


def _images(ctx: Context) -> tuple[Image, ...]:
    from analysis.facts.images.builds import images

    return tuple(ctx.fact(images))


def _image_for(images: tuple[Image, ...], compose_file: str, service: str) -> Image | None:
    for image in images:
        for use in image.uses:
            if use.service == service and use.compose_file == compose_file:
                return image
    for image in images:
        for use in image.uses:
            if use.service == service:
                return image
    return None


def _published(ctx: Context, stack: str, service: Service) -> tuple[PublishedImage, Image] | None:
    """(link, Image) when the service pulls an image the project builds (inferred)."""
    if service.build is not None or service.image is None:
        return None
    from analysis.facts.published import image_of, published_image_for

    link = published_image_for(ctx, stack, service.name)
    if link is None:
        return None
    image = image_of(ctx, link)
    return (link, image) if image is not None and image.file is not None else None


def _compose_pass(b: _Builder, images: tuple[Image, ...]) -> set[str]:
    """Every non-database service of every stack. Returns the Dockerfiles compose builds."""
    ctx = b.ctx
    db_keys = _database_keys(ctx)
    built: set[str] = set()
    # per schema set and per folder, not per service
    datasources: dict[tuple[str, ...], tuple[list[ConfigBlock], str]] = {}
    nearest: dict[str, tuple[str, ...]] = {}
    for stack in _stacks(ctx):
        db_names = {svc for st, svc in db_keys if st == stack.id}
        for service in stack.services:
            if service.name in db_names:
                continue
            compose_file = service.location.path
            image = _image_for(images, compose_file, service.name) if service.build else None
            published = _published(ctx, stack.id, service) if image is None else None
            if published is not None:  # the project's own image, pulled: its build, inferred
                image = published[1]
            if image is not None:
                built.add(image.dockerfile)
            env = _env_from_stage(image.dockerfile, image) if image is not None else {}
            env.update(_env_from_service(service))
            state = _PathState(
                id=f"compose:{stack.id}:{service.name}",
                kind="compose",
                context=RunContext.STARTUP,
                root_kind="compose",
                env=env,
                service=service.name,
                stack=stack.id,
            )
            mounts = tuple(
                (m.target, m.host_path)
                for m in service.mounts
                if m.kind == MountKind.BIND and m.host_path is not None
            )
            stage = image.stage if image is not None else None
            workdir = (
                service.working_dir.value
                if service.working_dir is not None
                else (stage.workdir if stage is not None else "/")
            )
            fs = _FS(workdir or "/", image if image is not None and image.file else None, mounts)
            if (
                image is None
                and not mounts
                and service.image is not None
                and not _LIBRARY_IMAGE.match(service.image.value)
            ):
                # an image of this project built elsewhere (`myorg/api:1.4`): read its commands
                # against the project folder of the compose file
                fs = _FS(posixpath.dirname(compose_file))
            links: list[Link] = []
            if published is not None:
                links.append(Link("inferred-image", published[0].label, published[0].location))
            entry_cmd = stage.effective_entrypoint if stage is not None else None
            cmd_cmd = stage.effective_cmd if stage is not None else None
            if service.entrypoint is not None:
                entry_argv = tuple(service.entrypoint.argv)
                links.append(_compose_link(service, "entrypoint", service.entrypoint))
                cmd_argv = tuple(service.command.argv) if service.command is not None else ()
                if service.command is not None:
                    links.append(_compose_link(service, "command", service.command))
            else:
                entry_argv = _command_argv(entry_cmd)
                if entry_cmd is not None and image is not None:
                    links.append(_dockerfile_link("ENTRYPOINT", image.dockerfile, entry_cmd))
                shell_entry = entry_cmd is not None and entry_cmd.exec_form is None
                if service.command is not None:
                    cmd_argv = () if shell_entry else tuple(service.command.argv)
                    links.append(_compose_link(service, "command", service.command))
                else:
                    cmd_argv = () if shell_entry else _command_argv(cmd_cmd)
                    if cmd_cmd is not None and image is not None and not shell_entry:
                        links.append(_dockerfile_link("CMD", image.dockerfile, cmd_cmd))
            # the first link names where the start command comes from
            links.sort(key=lambda lk: 0 if lk.kind.startswith("compose") else 1)
            for lk in links:
                b.add_link(state, lk)
            argv = (*entry_argv, *cmd_argv)
            for dep in service.depends_on:
                if dep.service in db_names and dep.condition == "service_healthy":
                    state.waits.append(
                        WaitStep(
                            "depends_on",
                            f"depends_on {dep.service}: condition: service_healthy",
                            dep.location,
                            True,
                            "the database's healthcheck",
                        )
                    )
            if argv:
                origin = links[0].location if links else service.location
                b.follow_argv(state, argv, _At(tuple(links), origin, fs))
            if image is not None:
                database = _database_use(
                    ctx, state.env, image.app_schemas, _image_env_files(image), datasources
                )
            else:
                folder = posixpath.dirname(compose_file)
                if folder not in nearest:
                    nearest[folder] = _nearest_schemas(ctx, folder)
                database = _database_use(ctx, state.env, nearest[folder], (), datasources)
            b.finish(
                state,
                f'service "{service.name}" ({compose_file})'
                if published is None
                else f'service "{service.name}" ({compose_file}; its image inferred to be built '
                f"from {published[0].dockerfile})",
                compose_file=compose_file,
                dockerfile=image.dockerfile if image is not None else None,
                stage=(stage.name or str(stage.index)) if stage is not None else None,
                argv=argv,
                image=service.image.value
                if service.image is not None and not service.build
                else None,
                database=database,
                code_migration=_code_migration(
                    b, image, service if not service.build else None, compose_file
                ),
            )
    return built


def _dockerfile_pass(b: _Builder, images: tuple[Image, ...], built: set[str]) -> None:
    """Images no compose service builds: their final stage's ENTRYPOINT/CMD is the start."""
    for image in images:
        if image.uses or image.dockerfile in built or image.stage is None:
            continue
        stage = image.stage
        state = _PathState(
            id=f"dockerfile:{image.dockerfile}",
            kind="dockerfile",
            context=RunContext.STARTUP,
            root_kind="dockerfile",
            env=_env_from_stage(image.dockerfile, image),
        )
        links: list[Link] = []
        entry_cmd, cmd_cmd = stage.effective_entrypoint, stage.effective_cmd
        if entry_cmd is not None:
            links.append(_dockerfile_link("ENTRYPOINT", image.dockerfile, entry_cmd))
        shell_entry = entry_cmd is not None and entry_cmd.exec_form is None
        if cmd_cmd is not None and not shell_entry:
            links.append(_dockerfile_link("CMD", image.dockerfile, cmd_cmd))
        for lk in links:
            b.add_link(state, lk)
        argv = (*_command_argv(entry_cmd), *(() if shell_entry else _command_argv(cmd_cmd)))
        if argv and links:
            fs = _FS(stage.workdir or "/", image if image.file is not None else None)
            b.follow_argv(state, argv, _At(tuple(links), links[0].location, fs))
        b.finish(
            state,
            image.dockerfile,
            dockerfile=image.dockerfile,
            stage=stage.name or str(stage.index),
            argv=argv,
            database=_database_use(b.ctx, state.env, image.app_schemas, _image_env_files(image)),
            code_migration=_code_migration(b, image, None, ""),
        )
