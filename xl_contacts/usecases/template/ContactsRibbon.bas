Attribute VB_Name = "ContactsRibbon"
' Ribbon callbacks of customUI14.xml. Each button runs one Python macro of
' xl_contacts through xlwings' RunPython; the Python side shows its own
' messages, in the language the ribbon speaks (XlContactsLanguage: "en" or "ru").
Option Explicit

Sub XlContactsRefresh(control As IRibbonControl)
    RunPython "import xl_contacts.macros; xl_contacts.macros.refresh('" & XlContactsLanguage() & "')"
End Sub

Sub XlContactsSaveReport(control As IRibbonControl)
    RunPython "import xl_contacts.macros; xl_contacts.macros.export_report('" & XlContactsLanguage() & "')"
End Sub

' The ribbon's texts in the workbook's language (ContactsTexts holds them all).
Sub XlContactsGetLabel(control As IRibbonControl, ByRef returnedVal)
    returnedVal = XlContactsText(control.ID & ".label", XlContactsLanguage())
End Sub

Sub XlContactsGetScreentip(control As IRibbonControl, ByRef returnedVal)
    returnedVal = XlContactsText(control.ID & ".screentip", XlContactsLanguage())
End Sub

Sub XlContactsGetSupertip(control As IRibbonControl, ByRef returnedVal)
    returnedVal = XlContactsText(control.ID & ".supertip", XlContactsLanguage())
End Sub

' What a GETCONTACTS cell says on macOS (xlwings_udfs calls it there).
Public Function XlContactsMacNote() As String
    XlContactsMacNote = XlContactsText("macNote", XlContactsLanguage())
End Function

' "en" or "ru": the Contacts Language row of the xlwings.conf sheet, then the
' XL_CONTACTS_LANG environment variable, then Excel's UI language, then English.
Public Function XlContactsLanguage() As String
    Dim chosen As String
    chosen = XlContactsLanguageOf(XlContactsConfValue("Contacts Language"))
    If chosen = "" Then chosen = XlContactsLanguageOf(Environ("XL_CONTACTS_LANG"))
    If chosen = "" Then chosen = XlContactsLanguageOf(CStr(XlContactsUILanguage()))
    If chosen = "" Then chosen = "en"
    XlContactsLanguage = chosen
End Function

' "ru" for "ru", "ru-RU", "ru_RU.UTF-8", "Russian" or a Russian language id
' (1049); "en" likewise; "" for a language xl-contacts does not speak.
Public Function XlContactsLanguageOf(ByVal value As String) As String
    Dim code As String
    value = LCase(Trim(value))
    If value <> "" And value Like String(Len(value), "#") Then
        If Len(value) > 9 Then Exit Function
        Select Case CLng(value) And &H3FF
            Case &H19: XlContactsLanguageOf = "ru"
            Case &H9: XlContactsLanguageOf = "en"
        End Select
        Exit Function
    End If
    code = Split(Replace(value, "-", "_") & ".", ".")(0)
    code = Split(code & "_", "_")(0)
    code = Split(code & "@", "@")(0)
    Select Case code
        Case "ru", "russian": XlContactsLanguageOf = "ru"
        Case "en", "english": XlContactsLanguageOf = "en"
    End Select
End Function

' Excel's UI language id (msoLanguageIDUI = 2); 0 where Excel cannot say.
Public Function XlContactsUILanguage() As Long
    On Error Resume Next
    XlContactsUILanguage = Application.LanguageSettings.LanguageID(2)
End Function

' The value of a key of this workbook's xlwings.conf sheet (column A: key,
' column B: value, from row 1 down to the first empty key), "" without one.
Public Function XlContactsConfValue(key As String) As String
    Dim sheet As Object, row As Long
    On Error GoTo Done
    Set sheet = ThisWorkbook.Worksheets("xlwings.conf")
    row = 1
    Do While CStr(sheet.Cells(row, 1).Value) <> ""
        If LCase(Trim(CStr(sheet.Cells(row, 1).Value))) = LCase(key) Then
            XlContactsConfValue = Trim(CStr(sheet.Cells(row, 2).Value))
            Exit Function
        End If
        row = row + 1
    Loop
Done:
End Function
