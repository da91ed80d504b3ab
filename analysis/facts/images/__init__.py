"""Fact: the images the project builds, and what ends up in them.

For every discovered Dockerfile (built from its own folder) and every Dockerfile a compose
service's `build:` names (its context, `dockerfile` and `target`), `images(ctx)` (in `builds`)
gives an `Image`: the build context, the effective .dockerignore, the stages and the stage the build
produces, the `COPY`/`ADD`s of the stages that make the final image, where `prisma` commands run
during the build (directly in a `RUN`, through a `package.json` script a `RUN` calls, or through
an install's lifecycle scripts), how `node_modules` gets into the final image (with or without
devDependencies), whether the migrations and the Prisma schema reach it, and which `.env` files
reach the build context.

`path_in_image(image, rel)` (in `copies`) answers whether a file of the build context ends up in
the final image (not excluded by .dockerignore, and brought there by a `COPY`, directly or through a
`COPY --from` of an earlier stage); `image_paths(image, rel)` says where.
"""
