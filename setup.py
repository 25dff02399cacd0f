from pathlib import Path

from setuptools import find_packages, setup

setup(
    name="webapi_kit",
    version="0.1.0",
    description="Hypermedia REST APIs for Django in the Review Board web API dialect.",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author="The webapi_kit developers",
    license="MIT",
    packages=find_packages(include=["webapi_kit", "webapi_kit.*"]),
    package_data={"webapi_kit": ["py.typed", "templates/webapi_kit/browsable/*.html"]},
    include_package_data=True,
    python_requires=">=3.11",
    install_requires=[
        "Django>=4.2,<6.0",
        "lxml>=5.0,<7",
    ],
    extras_require={
        "fast": ["orjson>=3.9,<4"],
        # webapi_kit.client (webapi_kit.testing needs only Django).
        "client": ["httpx>=0.27,<1"],
        # Swagger UI and Redoc for webapi_kit.openapi's docs pages, served from the package.
        "docs": ["drf-spectacular-sidecar>=2024.1,<2028"],
    },
    classifiers=[
        "Framework :: Django",
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3",
        "Typing :: Typed",
    ],
    zip_safe=False,
)
