"""The keys of the content files whose texts code asks for by name, and the placeholders each may
keep for its caller to fill (at run time, or in the browser). bot.texts checks every file against
these when it builds the catalogue, so a missing or misspelt key fails at start, not in a reply.
"""
from __future__ import annotations

from typing import Collection, Mapping

# content/sms.yml: key -> the run-time placeholders it may use.
SMS_TEXTS: Mapping[str, Collection[str]] = {
    "stop": (),
    "start": (),
    "help": (),
    "media_only": (),
    "empty_message": (),
    "after_hours": ("opening",),
    "privacy_note": (),
}
BUTTON_SETS = ("after_answer", "after_suggestions")
# content/widget.yml: key -> the placeholders the widget fills in the browser (from the host page or
# the moment), left as they are here.
WIDGET_TEXTS: Mapping[str, Collection[str]] = {
    "title": (),
    "subtitle": (),
    "start_over": (),
    "close_label": (),
    "notice_intro": (),
    "notice_not_emergency": (),
    "notice_crisis": (),
    "notice_privacy": (),
    "conversation_label": (),
    "speaker_user": (),
    "speaker_assistant": (),
    "speaker_error": (),
    "suggested_replies_label": (),
    "open_image": (),
    "try_again": (),
    "typing": (),
    "input_label": (),
    "input_placeholder": (),
    "send_label": (),
    "characters_left_one": (),
    "characters_left": ("count",),
    "connection_error": (),
    "connection_error_with_phone": ("phone",),
    "crisis": (),
}
# content/console.yml: key -> the run-time placeholders the staff console (or its webhook) fills in.
CONSOLE_TEXTS: Mapping[str, Collection[str]] = {
    **dict.fromkeys(
        (
            "brand", "nav_queue", "nav_export", "back_to_queue", "sign_in_title", "sign_in_heading",
            "username_label", "password_label", "sign_in_button", "sign_in_disabled", "wrong_credentials",
            "sign_in_expired", "sign_in_first", "form_expired", "queue_title", "filters_label", "filter_open",
            "filter_new", "filter_claimed", "filter_done", "filter_all", "queue_empty", "queue_download",
            "urgent", "status_new", "status_claimed", "status_done", "field_requested", "field_phone",
            "field_best_time", "field_voicemail", "field_texts", "field_for", "field_screening", "field_status",
            "field_promised", "field_channel", "field_claimed", "field_done", "field_outcome", "age_just_now",
            "best_time_missing", "screening_missing", "note_missing", "texts_yes", "texts_no",
            "voicemail_no", "voicemail_named", "voicemail_unnamed", "for_self", "for_loved_one",
            "outcome_crisis", "outcome_ask_directly", "outcome_detox_first", "outcome_higher_care", "outcome_iop_fit",
            "outcome_outpatient", "claim_button", "note_label", "note_placeholder", "done_button",
            "claimed_message", "done_message", "not_found_title", "request_not_found", "page_not_found",
            "database_down_title", "database_down", "relation_child_under_18", "relation_adult_child",
            "relation_partner", "relation_parent", "relation_sibling_friend", "relation_unknown",
        ),
        (),
    ),
    # The administrators' pages (audit log, accounts) and their header links.
    **dict.fromkeys(
        (
            "nav_audit", "nav_accounts", "forbidden_title", "admin_only", "audit_title", "audit_empty",
            "audit_col_time", "audit_col_who", "audit_col_action", "audit_col_request", "audit_col_detail",
            "audit_unknown_user", "audit_action_sign_in", "audit_action_sign_in_failed", "audit_action_sign_out",
            "audit_action_queue", "audit_action_view", "audit_action_export", "audit_action_claim", "audit_action_done",
            "audit_action_account_add", "audit_action_account_add_admin", "audit_action_account_disable",
            "audit_action_account_enable", "audit_action_account_reset", "audit_detail_disabled",
            "audit_detail_throttled", "accounts_title", "accounts_col_username", "accounts_col_role",
            "accounts_col_state", "accounts_col_created", "accounts_col_password", "role_admin", "role_staff",
            "account_active", "account_disabled", "accounts_how",
        ),
        (),
    ),
    "audit_heading": ("count",),
    "accounts_heading": ("count",),
    "page_title": ("title",),
    "sign_out": ("username",),
    "too_many_attempts": ("minutes",),
    "queue_heading": ("filter", "count"),
    "status_by": ("status", "name"),
    "requested_age": ("age",),
    "age_minutes": ("minutes",),
    "age_hours": ("hours",),
    "age_days": ("days",),
    "claimed_at": ("time", "name"),
    "already_claimed": ("ref", "name"),
    "already_done": ("ref",),
    "claimed_meanwhile": ("ref",),
    "closed_meanwhile": ("ref",),
    "webhook_new": ("ref", "link"),
    "webhook_new_urgent": ("ref", "link"),
    "webhook_other": ("topic", "ref", "link"),
    "for_family_consultation": ("relation",),
    "field_paged": (),
    "page_sent": ("name", "time"),
    "page_sent_backup": ("name", "time"),
    "page_waiting": ("name",),
    "page_not_sent": ("name", "reason"),
    "field_acknowledged": (),
    "acknowledged_at": ("time", "name"),
    "audit_action_acknowledge": (),
    "page_urgent": ("ref", "time", "link"),
    "page_new": ("ref", "time", "link"),
    "page_backup": ("ref", "time", "link", "minutes"),
    "page_backup_urgent": ("ref", "time", "link", "minutes"),
    "ack_done": ("ref", "link"),
    "ack_already": ("ref", "name"),
    "ack_claimed": ("ref", "name"),
    "ack_not_found": ("example",),
    "ack_unknown_ref": ("ref", "example"),
}
# content/callback_window.yml: key -> the clock words bot.hours fills in (written by bot.clock).
CALLBACK_WINDOW_TEXTS: Mapping[str, Collection[str]] = {
    "within": ("duration",),
    "before_closing": ("close", "day", "opening"),
    "next_opening": ("day", "opening"),
}

# The callback questions for a first name, a phone number and a time to call (and the re-asks after an
# answer that could not be used): the REST channel marks them `sensitive`, and the widget shows the
# reply to one of them but never stores it in the browser.
PRIVATE_PROMPTS = (
    "utter_ask_first_name",
    "utter_ask_phone",
    "utter_ask_best_time",
    "utter_invalid_name",
    "utter_invalid_phone",
)
