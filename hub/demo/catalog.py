"""The demo company's collateral: Orbital, a spend-management platform sold to mid-size companies."""

from __future__ import annotations

from dataclasses import dataclass

PERSONAS = [
    ("CFO", "Owns budget and ROI; signs off on spend above the approval threshold."),
    ("IT director", "Cares about security, integrations and the effort to run the system."),
    ("Operations lead", "Runs the approval and purchasing workflows every day."),
    ("End user", "Submits requests and expenses; wants it quick and mobile."),
    ("Procurement", "Negotiates contracts, manages vendors and compliance."),
]

STAGES = [
    ("Awareness", "The buyer is learning about the problem."),
    ("Consideration", "The buyer compares approaches and vendors."),
    ("Decision", "The buyer builds the business case and picks a vendor."),
    ("Onboarding", "The customer rolls Orbital out."),
    ("Advocacy", "The customer grows, renews and refers others."),
]

TOPICS: dict[str, list[str]] = {
    "finance": [
        "Finance teams using Orbital see the payback period shrink to under seven months on average.",
        "Total cost of ownership falls because approvals, purchase orders and invoice matching run in one place.",
        "The ROI model compares manual invoice processing cost per document against automated three-way matching.",
        "Budget owners get real-time visibility of committed spend before the invoice ever arrives.",
        "Month-end close is shortened by two to four days when accruals come straight from approved purchase orders.",
        "Maverick spend drops once every request is routed against the right budget line and policy.",
        "Cash-flow forecasting improves because upcoming liabilities are known at the moment of approval.",
    ],
    "security": [
        "Orbital is SOC 2 Type II audited and ISO 27001 certified, with reports available under NDA.",
        "All data is encrypted at rest with AES-256 and in transit with TLS 1.3.",
        "Single sign-on works with Okta, Azure AD and Google Workspace through SAML 2.0 and SCIM provisioning.",
        "Role-based permissions and a complete audit trail record who approved what and when.",
        "Customer data stays in the EU or US region chosen at signup, in line with GDPR requirements.",
        "Penetration tests by an independent firm run twice a year; summaries are shared with customers.",
    ],
    "integration": [
        "Native connectors sync suppliers, cost centres and general-ledger codes with NetSuite, SAP and Microsoft Dynamics.",
        "A documented REST API and webhooks let IT connect Orbital to any internal system.",
        "Purchase orders flow to the ERP automatically once the final approver signs off.",
        "The integration team typically connects the ERP within two weeks, without custom code.",
        "Corporate card feeds from major banks reconcile automatically against receipts.",
    ],
    "operations": [
        "Approval workflows are configured without code: thresholds, departments and delegation rules.",
        "Operations leads see every open request, its approver and how long it has been waiting.",
        "Automatic reminders and escalation cut the average approval time from days to hours.",
        "Catalog buying lets teams order pre-approved items from preferred suppliers in two clicks.",
        "Receiving and three-way matching happen in the same place the purchase was requested.",
    ],
    "end_user": [
        "Employees submit a purchase request from the mobile app in under a minute.",
        "Snap a photo of a receipt and Orbital reads the merchant, amount and tax automatically.",
        "Requesters always see where their request stands, so nobody chases approvers by email.",
        "The interface needs no training: new employees raise their first request on day one.",
        "Notifications arrive in Slack and Microsoft Teams, where people already work.",
    ],
    "procurement": [
        "Contract renewals are tracked with reminders ninety days before notice periods end.",
        "Supplier onboarding collects tax forms, bank details and risk questionnaires in one portal.",
        "Preferred-vendor policies steer spend toward negotiated contracts and volume discounts.",
        "Spend analytics show the top suppliers by category, helping procurement consolidate vendors.",
        "Competitive bids and quotes are compared side by side before a purchase order is raised.",
    ],
    "onboarding": [
        "The implementation plan covers kickoff, configuration, ERP connection, pilot and company-wide rollout.",
        "A named customer success manager runs weekly check-ins during the first ninety days.",
        "Admin training takes two sessions of ninety minutes; end users learn from short in-app guides.",
        "Most customers go live within six weeks of signing the contract.",
        "Data migration templates import open purchase orders, suppliers and budgets from spreadsheets.",
    ],
    "advocacy": [
        "Customers who join the Orbital community share workflow templates and benchmarks.",
        "The referral programme rewards customers who introduce a peer company.",
        "Quarterly business reviews show the savings achieved and the next opportunities.",
        "Customer advisory board members shape the product roadmap twice a year.",
    ],
    "competition": [
        "Compared with legacy procurement suites, Orbital deploys in weeks instead of quarters.",
        "Unlike expense-only tools, Orbital controls spend before it happens, not after.",
        "When the prospect is evaluating spreadsheet-and-email processes, lead with approval time and audit trail.",
        "Common objection: 'our ERP already does this' — answer with requester adoption and mobile approvals.",
        "Price objection: show the per-invoice processing cost comparison and the payback period.",
    ],
}


@dataclass(frozen=True)
class DemoAsset:
    title: str
    asset_type: str
    kind: str  # pdf, docx, pptx, txt, link
    personas: tuple[str, ...]
    stages: tuple[str, ...]
    topics: tuple[str, ...]
    summary: str
    tags: tuple[str, ...] = ()
    # a demo asset's hidden quality: how much more often deals that used it were won
    strength: float = 0.0
    url: str | None = None


# fmt: off
ASSETS: list[DemoAsset] = [
    DemoAsset('Orbital ROI Guide for Finance Leaders', 'whitepaper', 'pdf', ('CFO',), ('Consideration', 'Decision'), ('finance',), 'How to model payback, TCO and savings from automating purchase-to-pay.', ('roi', 'tco'), strength=0.25),
    DemoAsset('Business Case Template: Spend Control', 'one_pager', 'docx', ('CFO', 'Procurement'), ('Decision',), ('finance', 'procurement'), 'A fill-in business case for the approval committee.', ('business case',), strength=0.2),
    DemoAsset('Security and Compliance Overview', 'whitepaper', 'pdf', ('IT director',), ('Consideration', 'Decision'), ('security',), 'SOC 2, ISO 27001, encryption, SSO and data residency in one document.', ('security', 'soc2'), strength=0.15),
    DemoAsset('ERP Integration Guide: NetSuite, SAP, Dynamics', 'datasheet', 'pdf', ('IT director', 'Operations lead'), ('Consideration', 'Onboarding'), ('integration',), 'How Orbital connects to the general ledger.', ('erp', 'api')),
    DemoAsset('Orbital Platform Overview Deck', 'deck', 'pptx', ('CFO', 'IT director', 'Operations lead'), ('Awareness', 'Consideration'), ('finance', 'operations', 'integration'), 'The first-meeting deck.', ('overview',), strength=0.05),
    DemoAsset('Customer Story: Meridian Foods Cuts Invoice Processing by 62%', 'case_study', 'pdf', ('CFO', 'Operations lead'), ('Consideration', 'Decision'), ('finance', 'operations'), 'A food distributor automates three-way matching.', ('food', 'manufacturing'), strength=0.3),
    DemoAsset('Customer Story: Halden Health Gains Control of Clinic Spend', 'case_study', 'pdf', ('CFO', 'Procurement'), ('Decision',), ('finance', 'procurement'), 'Forty clinics, one approval policy.', ('healthcare',), strength=0.2),
    DemoAsset('Customer Story: Brightline Logistics Goes Live in Five Weeks', 'case_study', 'docx', ('Operations lead', 'IT director'), ('Decision', 'Onboarding'), ('onboarding', 'integration'), 'A fast rollout across twelve depots.', ('logistics',), strength=0.1),
    DemoAsset('Battle Card: Orbital vs Legacy Procurement Suites', 'battle_card', 'pdf', ('Procurement', 'IT director'), ('Consideration', 'Decision'), ('competition',), 'Where we win, where we lose, what to say.', ('competitive',), strength=0.15),
    DemoAsset('Battle Card: Orbital vs Expense-Only Tools', 'battle_card', 'docx', ('CFO', 'End user'), ('Consideration',), ('competition', 'end_user'), 'Positioning against card-and-expense apps.', ('competitive',)),
    DemoAsset('Objection Handling Playbook', 'battle_card', 'docx', ('CFO', 'Procurement', 'IT director'), ('Decision',), ('competition', 'finance'), 'Answers to the ten objections we hear most.', ('objections',), strength=0.1),
    DemoAsset('Approval Workflows Explained', 'one_pager', 'pdf', ('Operations lead',), ('Awareness', 'Consideration'), ('operations',), 'Thresholds, delegation and escalation without code.', ('workflow',)),
    DemoAsset('Mobile App for Requesters', 'one_pager', 'pdf', ('End user',), ('Consideration', 'Onboarding'), ('end_user',), 'Purchase requests and receipts from the phone.', ('mobile',)),
    DemoAsset('Receipt Capture Quick Start', 'one_pager', 'txt', ('End user',), ('Onboarding',), ('end_user',), 'Snap, submit, done: a one-page guide for employees.', ('receipts',)),
    DemoAsset('Implementation Plan: First 90 Days', 'deck', 'pptx', ('Operations lead', 'IT director'), ('Onboarding',), ('onboarding',), 'Kickoff to company-wide rollout, week by week.', ('implementation',), strength=0.05),
    DemoAsset('Admin Training Workbook', 'whitepaper', 'docx', ('Operations lead',), ('Onboarding',), ('onboarding', 'operations'), 'Exercises for the two admin training sessions.', ('training',)),
    DemoAsset('Supplier Onboarding Portal Datasheet', 'datasheet', 'pdf', ('Procurement',), ('Consideration',), ('procurement',), 'Collect tax forms, bank details and risk answers.', ('suppliers',)),
    DemoAsset('Contract Renewal Tracking', 'one_pager', 'docx', ('Procurement',), ('Awareness',), ('procurement',), 'Never miss a notice period again.', ('contracts',)),
    DemoAsset('Spend Analytics Dashboard Tour', 'video_link', 'link', ('CFO', 'Procurement'), ('Consideration',), ('finance', 'procurement'), 'A four-minute video of the analytics views.', ('analytics', 'video'), strength=0.05, url='https://videos.example.com/orbital/spend-analytics-tour'),
    DemoAsset('Product Demo Recording: Purchase Request to Payment', 'video_link', 'link', ('Operations lead', 'End user'), ('Consideration',), ('operations', 'end_user'), 'The whole purchase-to-pay flow in twelve minutes.', ('demo', 'video'), strength=0.1, url='https://videos.example.com/orbital/p2p-demo'),
    DemoAsset('The State of Spend Management 2026', 'whitepaper', 'pdf', ('CFO',), ('Awareness',), ('finance', 'procurement'), 'Survey of 400 finance leaders on spend visibility.', ('research',)),
    DemoAsset('Five Signs Your Approval Process Is Costing You', 'one_pager', 'pdf', ('Operations lead', 'CFO'), ('Awareness',), ('operations', 'finance'), 'A checklist for prospects at the start of the journey.', ('checklist',)),
    DemoAsset('IT Evaluation Checklist', 'one_pager', 'docx', ('IT director',), ('Consideration',), ('security', 'integration'), 'What IT should ask any spend-management vendor.', ('checklist', 'security')),
    DemoAsset('SSO and SCIM Setup Guide', 'datasheet', 'txt', ('IT director',), ('Onboarding',), ('security',), 'Step-by-step single sign-on and provisioning.', ('sso',)),
    DemoAsset('Data Processing Agreement Summary', 'one_pager', 'pdf', ('Procurement', 'IT director'), ('Decision',), ('security', 'procurement'), 'GDPR terms in plain language for legal review.', ('gdpr', 'legal'), strength=0.05),
    DemoAsset('Pricing and Packaging Overview', 'deck', 'pptx', ('CFO', 'Procurement'), ('Decision',), ('finance', 'procurement'), 'Plans, add-ons and what drives the price.', ('pricing',), strength=0.15),
    DemoAsset('Executive Briefing Deck for CFOs', 'deck', 'pptx', ('CFO',), ('Consideration', 'Decision'), ('finance',), 'Twelve slides for a CFO meeting.', ('executive',), strength=0.2),
    DemoAsset('Customer Advisory Board Invitation', 'one_pager', 'docx', ('CFO', 'Operations lead'), ('Advocacy',), ('advocacy',), 'Invite champions to shape the roadmap.', ('community',)),
    DemoAsset('Referral Programme for Customers', 'one_pager', 'txt', ('Operations lead',), ('Advocacy',), ('advocacy',), 'How customers earn rewards by introducing peers.', ('referral',)),
    DemoAsset('Quarterly Business Review Template', 'deck', 'pptx', ('CFO', 'Operations lead'), ('Advocacy',), ('advocacy', 'finance'), 'Savings achieved and the next opportunities.', ('qbr',)),
    DemoAsset('Customer Story: Norrland Energy Consolidates 300 Suppliers', 'case_study', 'pdf', ('Procurement',), ('Decision', 'Advocacy'), ('procurement',), 'Vendor consolidation saves 11% on indirect spend.', ('energy',), strength=0.25),
    DemoAsset('Corporate Card Reconciliation Datasheet', 'datasheet', 'pdf', ('CFO', 'End user'), ('Consideration',), ('finance', 'end_user', 'integration'), 'Card feeds matched to receipts automatically.', ('cards',)),
    DemoAsset('Budget Owner Guide', 'one_pager', 'docx', ('Operations lead', 'CFO'), ('Onboarding',), ('finance', 'operations'), 'Committed versus actual spend for each budget line.', ('budgets',)),
    DemoAsset('Catalog Buying One-Pager', 'one_pager', 'pdf', ('End user', 'Procurement'), ('Consideration',), ('operations', 'procurement'), 'Pre-approved items from preferred suppliers.', ('catalog',)),
    DemoAsset('API and Webhooks Reference Overview', 'datasheet', 'txt', ('IT director',), ('Consideration', 'Onboarding'), ('integration',), 'What the REST API and webhooks cover.', ('api', 'developers')),
    DemoAsset('Month-End Close Acceleration', 'whitepaper', 'pdf', ('CFO',), ('Consideration',), ('finance',), 'Accruals from approved purchase orders shorten the close.', ('close', 'accounting'), strength=0.1),
    DemoAsset('Competitive Landscape Briefing 2025', 'deck', 'pptx', ('Procurement', 'CFO'), ('Consideration',), ('competition',), "Last year's competitor overview.", ('competitive',), strength=-0.05),
    DemoAsset('Rollout Communication Kit', 'one_pager', 'docx', ('Operations lead', 'End user'), ('Onboarding',), ('onboarding', 'end_user'), 'Emails and posters to announce Orbital internally.', ('change management',)),
    DemoAsset('Webinar: Controlling Spend in Uncertain Times', 'video_link', 'link', ('CFO',), ('Awareness',), ('finance',), 'On-demand webinar with two customer CFOs.', ('webinar', 'video'), url='https://videos.example.com/orbital/webinar-controlling-spend'),
    DemoAsset('Partner Solution Brief: Orbital for Accounting Firms', 'one_pager', 'pdf', ('CFO',), ('Awareness',), ('finance', 'advocacy'), 'How accounting firms roll Orbital out to clients.', ('partners',)),
]
# fmt: on
