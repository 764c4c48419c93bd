"""The independent certificate checker (``relu-geom/certificate@1`` and ``@2``, ``docs/certificates.md``).

It imports only :mod:`relu_geom.network` (exact evaluation), :mod:`relu_geom.errors` and
the standard library, and shares no code with the producers of certificates.
"""

from relu_geom.verify._json import load_certificate
from relu_geom.verify.checker import Failure, VerificationReport, verify_certificate

__all__ = ["Failure", "VerificationReport", "load_certificate", "verify_certificate"]
