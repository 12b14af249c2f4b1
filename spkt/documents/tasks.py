"""Background work for documents. Tasks take ids and call a service."""

from huey.contrib.djhuey import db_task

from spkt.documents.services import document_pdf_ensure


@db_task(retries=5, retry_delay=10)
def document_render_task(document_id: int) -> None:
    document_pdf_ensure(document_id=document_id)
