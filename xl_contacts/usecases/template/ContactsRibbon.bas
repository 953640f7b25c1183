Attribute VB_Name = "ContactsRibbon"
' Ribbon callbacks of customUI14.xml. Each runs one Python macro of xl_contacts
' through xlwings' RunPython; the Python side shows its own messages.
Option Explicit

Sub XlContactsRefresh(control As IRibbonControl)
    RunPython "import xl_contacts.macros; xl_contacts.macros.refresh()"
End Sub

Sub XlContactsSaveReport(control As IRibbonControl)
    RunPython "import xl_contacts.macros; xl_contacts.macros.export_report()"
End Sub
