"""Lightning billing against the local server: the invoice is paid with its local pay route.

With the real API you would pay `sandbox.pending_invoice.bolt11` from a wallet instead.
"""

from __future__ import annotations

import os
import urllib.request

from sockt import ComputeClient, PendingInvoice


def pay_locally(invoice: PendingInvoice) -> None:
    url = f"{os.environ['SOCKT_API_URL']}/local/v1/invoices/{invoice.payment_hash}/pay"
    with urllib.request.urlopen(urllib.request.Request(url, method="POST")) as response:
        response.read()


def main() -> None:
    client = ComputeClient()
    sandbox = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=3000)
    invoice = sandbox.pending_invoice
    assert invoice is not None
    print(f"Pay this invoice to start: {invoice.bolt11} ({invoice.amount_msats} msats)")

    def on_invoice(new_invoice: PendingInvoice) -> None:
        print(f"New invoice! Pay to continue: {new_invoice.bolt11}")

    sandbox.on("pending_invoice", on_invoice)
    pay_locally(invoice)
    sandbox.wait_until_running(timeout=300)
    print(sandbox.exec_sync("echo 'Paid with Lightning!'").stdout, end="")
    refund = sandbox.terminate(lightning_address="user@getalby.com")["refund"]
    print(f"refund: {refund}")
    client.close()


if __name__ == "__main__":
    main()
