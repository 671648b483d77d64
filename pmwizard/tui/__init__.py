"""The wizard (Textual). It presents what pmwizard.core and pmwizard.checks compute and holds no domain logic:
every file it writes is a core Plan shown in the diff preview, every check a list of Findings."""
