"""Read-only views for operators: decisions go through the review page or API, so each is audited."""

from django.contrib import admin

from apps.integrity.models import ReviewDecision, WalletFunding, WorkerFlag


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkerFlag)
class WorkerFlagAdmin(ReadOnly):
    list_display = ("job", "worker", "status", "holds_payout", "assessed_at")
    list_filter = ("status", "holds_payout")


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnly):
    list_display = ("flag", "status", "reviewer", "created_at", "note")


@admin.register(WalletFunding)
class WalletFundingAdmin(ReadOnly):
    list_display = ("chain_id", "address", "eth_source", "token_source", "scanned_through")
