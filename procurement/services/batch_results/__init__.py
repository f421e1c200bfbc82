"""National and alliance batches' published results (国家组织/省际联盟中选结果): the import of the tender, lots and the
province's awards and listings (`importer`), and the agreed volumes from the province's demand (`confirm`)."""

from ..tenders.imported import confirm_imported, imported_results_confirm
from .importer import ResultsReport, batch_results_import

__all__ = ["ResultsReport", "batch_results_import", "confirm_imported", "imported_results_confirm"]
