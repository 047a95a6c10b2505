"""The ``orders`` and ``order_items`` tables, written from the simulated purchases."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from chandung.schema import vocab

from . import _arrow as A
from ._accounts import Accounts
from ._arrow import IntArray
from ._context import Chunk
from ._geo import current_names
from ._orders import Stores, is_b2b_channel


def orders_table(
    chunk: Chunk, accounts: Accounts, account_id: pa.Array, campaign: IntArray, stores: Stores
) -> pa.Table:
    """The canonical ``orders`` table of a chunk."""
    orders = chunk.orders
    ch = vocab.SALES_CHANNELS
    n = orders.size
    b2b = is_b2b_channel(orders.channel) & (accounts.of_row[orders.customer] >= 0)
    account = np.maximum(accounts.of_row[orders.customer], 0)
    return A.canonical_table("orders", {
        "order_id": chunk.order_ids,
        "customer_id": chunk.customer_ids.take(pa.array(orders.customer)),
        "account_id": account_id.take(pa.array(account, mask=~b2b)) if accounts.size
        else pa.nulls(n, pa.string()),
        "ordered_at": A.timestamps(orders.time),
        "channel": A.take(ch, orders.channel),
        "channel_group": A.take([vocab.CHANNEL_GROUPS[c] for c in ch], orders.channel),
        "store_id": A.take(stores.ids, np.maximum(orders.store, 0), orders.store < 0),
        "device": A.take(vocab.DEVICES, np.maximum(orders.device, 0), orders.device < 0),
        "payment_method": A.take(vocab.PAYMENT_METHODS, orders.payment),
        "status": A.take(vocab.ORDER_STATUSES, orders.status),
        "currency": pa.repeat(pa.scalar("VND"), n),
        "items_amount_vnd": A.ints(orders.items_amount),
        "discount_vnd": A.ints(orders.discount),
        "shipping_vnd": A.ints(orders.shipping),
        "total_vnd": A.ints(orders.total),
        "delivery_province": current_names(orders.delivery),
        "campaign_id": chunk.campaigns.ids().take(
            pa.array(np.maximum(campaign, 0), mask=campaign < 0)
        ),
    }, n, chunk.import_batch)  # fmt: skip


def items_table(chunk: Chunk) -> pa.Table:
    """The canonical ``order_items`` table of a chunk."""
    items, catalogue = chunk.items, chunk.catalogue
    return A.canonical_table("order_items", {
        "order_id": chunk.order_ids.take(pa.array(items.order)),
        "line_number": A.ints(items.line),
        "product_id": catalogue.product_ids.take(pa.array(items.product)),
        "category": A.take(catalogue.category, items.product),
        "quantity": A.ints(items.quantity),
        "unit_price_vnd": A.ints(items.unit_price),
        "line_total_vnd": A.ints(items.line_total),
    }, len(items.order), chunk.import_batch)  # fmt: skip
