"""API tokens for Django users: an optional app on top of webapi_kit's core.

Add ``"webapi_kit.tokens"`` to ``INSTALLED_APPS`` (it has a model, so a
migration), put :class:`~webapi_kit.tokens.authentication.TokenAuthentication`
in the authentication classes and
:class:`~webapi_kit.tokens.resources.APITokenResource` in an API. Users then
create, list, rename and revoke their own tokens through the API and the
admin; a token is shown once, when it is made, and stored only as a hash.

The core never imports this package: sites that do not want tokens get no
table.
"""

__all__: list[str] = []
