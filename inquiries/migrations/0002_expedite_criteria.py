"""The published expedite criteria, three versions (domain.md §2.1); the 2022 list is current."""

from django.db import migrations

CRITERIA = {
    "2014": [
        ("financial-loss", "Severe financial loss to a company or person"),
        ("emergency", "Emergency situation (for example, the applicant is gravely ill)"),
        ("humanitarian", "Humanitarian reasons (for example, war in the home country)"),
        ("nonprofit", "Nonprofit organization request furthering U.S. cultural or social interests"),
        ("government-interest", "Department of Defense or national interest situation (request from an official U.S. government entity)"),
        ("uscis-error", "USCIS error"),
        ("uscis-interest", "Compelling interest of USCIS"),
    ],
    "2019": [
        ("financial-loss", "Severe financial loss (company at risk of failing; not caused by failure to file or respond on time)"),
        ("humanitarian", "Urgent humanitarian reasons"),
        ("government-interest", "Compelling U.S. government interests (DoD, DHS, public safety, national security)"),
        ("uscis-error", "Clear USCIS error"),
    ],
    "2022": [
        ("financial-loss", "Severe financial loss to a company or person (not due to failure to file or answer an RFE on time)"),
        ("humanitarian", "Emergencies and urgent humanitarian reasons"),
        ("nonprofit", "Nonprofit (IRS-designated) furthering U.S. cultural and social interests"),
        ("government-interest", "U.S. government interests (federal, state, local or tribal agencies; public safety, national security)"),
        ("uscis-error", "Clear USCIS error"),
    ],
}


def load(apps, schema_editor):
    criterion = apps.get_model("inquiries", "ExpediteCriterion")
    for version, rows in CRITERIA.items():
        for code, label in rows:
            criterion.objects.update_or_create(
                version=version, code=code, defaults={"label": label, "is_current": version == "2022"}
            )


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
